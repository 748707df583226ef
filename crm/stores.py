"""The stores in the database: the configured one is created by `crm init`."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from crm.config import StoreSettings
from crm.errors import UsageError
from crm.models import Customer, Store


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
    """Register another store of the group."""
    if session.exec(select(Store).where(Store.code == code)).one_or_none():
        raise UsageError(f"store {code!r} already exists")
    store = Store(code=code, name=name, timezone=timezone)
    session.add(store)
    session.commit()
    return store


def get_store(session: Session, code: str) -> Store:
    store = session.exec(select(Store).where(Store.code == code)).one_or_none()
    if store is None:
        raise UsageError(f"unknown store {code!r}; run `crm init` or `crm stores add {code}`")
    return store


def list_stores(session: Session) -> list[dict]:
    counts = dict(
        session.exec(select(Customer.store_id, func.count()).group_by(Customer.store_id)).all()
    )
    return [
        {"code": s.code, "name": s.name, "timezone": s.timezone, "customers": counts.get(s.id, 0)}
        for s in session.exec(select(Store).order_by(Store.code))
    ]
