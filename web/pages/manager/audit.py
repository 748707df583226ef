"""The audit trail: who changed a phone or consent, reassigned, resolved, launched, imported."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
