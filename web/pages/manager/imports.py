"""DMS exports by upload: a dry run with counts and rejects, then the import, and its history."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
