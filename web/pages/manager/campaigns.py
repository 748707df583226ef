"""Campaigns: a segment with a live count and samples, the text with its lint, the launch."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
