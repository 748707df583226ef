"""The manager's home: today per agent, the month's on-time rates, complaints, SMS, job health."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
