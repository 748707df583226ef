"""The store's agents with their load: deactivate, activate, hand over, rebalance."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
