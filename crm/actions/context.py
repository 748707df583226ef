"""The store an action works on: the store, its own clock and calendar, the settings.

Every action takes one of these instead of reading the clock or the configured store
itself, so the CLI, the jobs and the web see the same day for the same store: "today"
is the store's own date in its own zone, never the configured store's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from crm.app import App
from crm.clock import utcnow
from crm.config import Settings
from crm.errors import CrmError
from crm.models import Store
from crm.stores import get_store


@dataclass(frozen=True)
class StoreContext:
    app: App
    store_id: int
    code: str
    name: str
    zone: ZoneInfo
    now: datetime  # aware, UTC
    today: date  # the store's own date at `now`
    actor: str = "system"  # who acts, for the audit trail: a user's code, "cli:<user>"

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def locale(self) -> str:
        return self.app.settings.store.locale

    @property
    def phone_region(self) -> str:
        return self.app.settings.store.phone_region

    def session(self) -> Session:
        return self.app.session()

    def store(self, session: Session) -> Store:
        """This store's row in `session`."""
        return session.get(Store, self.store_id)


def context_of(app: App, store: Store, now: datetime | None = None) -> StoreContext:
    """The context of a store row already read."""
    now = now or utcnow()
    try:
        zone = ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CrmError(
            f"store {store.code} has an unknown time zone {store.timezone!r}; "
            "set a zone such as Asia/Shanghai in its row of the store table"
        ) from None
    return StoreContext(
        app=app,
        store_id=store.id,
        code=store.code,
        name=store.name,
        zone=zone,
        now=now,
        today=now.astimezone(zone).date(),
    )


def open_store(app: App, code: str | None = None, now: datetime | None = None) -> StoreContext:
    """The context of store `code` (default: the configured store); unknown codes are refused."""
    with app.session() as session:
        store = get_store(session, code or app.settings.store.code)
        return context_of(app, store, now)


def every_store(app: App, now: datetime | None = None) -> list[StoreContext]:
    """Each store of the database, by code, each on its own clock."""
    now = now or utcnow()
    with app.session() as session:
        stores = session.exec(select(Store).order_by(Store.code)).all()
        return [context_of(app, store, now) for store in stores]


def store_codes(app: App) -> list[str]:
    """The codes of every store, for work that goes store by store and survives one failing."""
    with app.session() as session:
        return list(session.exec(select(Store.code).order_by(Store.code)))


def acting(ctx: StoreContext, actor: str) -> StoreContext:
    """The same store and clock, with `actor` named as the one who acts."""
    return replace(ctx, actor=actor)


def store_of(app: App, store_id: int, now: datetime | None = None) -> StoreContext:
    """The context of the store a row (a task, a complaint) belongs to."""
    with app.session() as session:
        return context_of(app, session.get(Store, store_id), now)
