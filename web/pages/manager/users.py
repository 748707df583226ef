"""The logins (admin): add, disable, reset a password, set a role and a store."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
