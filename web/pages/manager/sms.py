"""The SMS outbox with filters, one message, the templates with their lint, the opt-outs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
