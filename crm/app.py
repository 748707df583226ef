"""What every command works with: the settings and the database they point at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from crm import db
from crm.clock import store_today
from crm.config import Settings


@dataclass
class App:
    settings: Settings
    database_url: str
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """The database engine, its schema checked to be current (`crm init` makes it so)."""
        if self._engine is None:
            engine = db.make_engine(self.database_url)
            db.check_current(engine)
            self._engine = engine
        return self._engine

    def session(self) -> Session:
        return db.session(self.engine)

    def today(self) -> date:
        """Today in the store's time zone."""
        return store_today(self.settings.store.zone)
