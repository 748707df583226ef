"""The stores in the database: the configured one is created at init, others are added."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from crm.config import STORE_CODE_MAX, STORE_CODE_PATTERN, StoreSettings, known_zone
from crm.errors import UnknownStore, UsageError
from crm.models import Customer, Store


def check_store(code: str, name: str, timezone: str) -> None:
    """Refuse a store whose code, name or time zone cannot work, naming the field."""
    if not (re.fullmatch(STORE_CODE_PATTERN, code or "") and len(code) <= STORE_CODE_MAX):
        raise UsageError(
            f"store code {code!r} must be 1-{STORE_CODE_MAX} letters, digits, - or _",
            field="code",
        )
    if not (name or "").strip():
        raise UsageError("a store needs a name, as its customers know it", field="name")
    try:
        known_zone(timezone)
    except ValueError as exc:
        raise UsageError(f"{exc}; use a zone such as Asia/Shanghai", field="timezone") from None


def ensure_store(session: Session, settings: StoreSettings) -> tuple[Store, bool]:
    """The configured store, created when missing; returns (store, created)."""
    store = session.exec(select(Store).where(Store.code == settings.code)).one_or_none()
    if store is not None:
        return store, False
    store = Store(code=settings.code, name=settings.name, timezone=settings.timezone)
    session.add(store)
    session.commit()
    return store, True


def add_store(session: Session, code: str, name: str, timezone: str) -> Store:
    """Register another store of the group, after checking it can work."""
    check_store(code, name, timezone)
    if session.exec(select(Store).where(Store.code == code)).one_or_none():
        raise UsageError(f"store {code!r} already exists", field="code")
    store = Store(code=code, name=name.strip(), timezone=timezone)
    session.add(store)
    session.commit()
    return store


def get_store(session: Session, code: str) -> Store:
    store = session.exec(select(Store).where(Store.code == code)).one_or_none()
    if store is None:
        raise UnknownStore(f"unknown store {code!r}", field="store")
    return store


def list_stores(session: Session) -> list[dict]:
    counts = dict(
        session.exec(select(Customer.store_id, func.count()).group_by(Customer.store_id)).all()
    )
    return [
        {"code": s.code, "name": s.name, "timezone": s.timezone, "customers": counts.get(s.id, 0)}
        for s in session.exec(select(Store).order_by(Store.code))
    ]
