"""The session secret: from CRM_SECRET_KEY, or generated into the database on first start."""

from __future__ import annotations

import os
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from crm.models import AppSecret

SESSION_KEY = "session"
MIN_LENGTH = 32


def session_secret(session: Session, now) -> str:
    """The key that signs session cookies; every web process of the database shares it."""
    given = os.environ.get("CRM_SECRET_KEY")
    if given:
        return given
    row = session.get(AppSecret, SESSION_KEY)
    if row is not None:
        return row.value
    session.add(AppSecret(name=SESSION_KEY, value=secrets.token_urlsafe(48), created_at=now))
    try:
        session.commit()
    except IntegrityError:  # another process made it first: use theirs
        session.rollback()
    return session.get(AppSecret, SESSION_KEY).value
