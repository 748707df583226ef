"""What every front end works with: the settings and the database they point at.

It has no "today": each store has its own, in `crm.actions.context.StoreContext`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# Imported when first used, not here: `crm --help` and commands that never open the
# database should not pay for SQLAlchemy (a third of a second of CPU).
if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from crm.config import Settings

DEFAULT_DATABASE_URL = "sqlite:///crm.db"


@dataclass
class App:
    settings: Settings
    database_url: str
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """The database engine, its schema checked to be current (`crm init` makes it so)."""
        if self._engine is None:
            from crm import db

            engine = db.make_engine(self.database_url)
            db.check_current(engine)
            self._engine = engine
        return self._engine

    def session(self) -> Session:
        from crm import db

        return db.session(self.engine)

    def database_files(self) -> tuple[Path, ...]:
        """The files an SQLite database lives in (none for PostgreSQL): never overwritten."""
        from crm import db

        return db.sqlite_files(self.database_url)
