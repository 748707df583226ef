"""The month-end summary: pick a month, read it as HTML, download md, xlsx or json."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
