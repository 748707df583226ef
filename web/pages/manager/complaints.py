"""Complaints, open and overdue first: the timeline, progress notes, routing, resolution."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
