"""Who may use the consoles: users with a role, their logins, the session secret."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from crm.models.base import code_field, created_at_field, moment_field, one_of


class Role(StrEnum):
    AGENT = "agent"  # works its own day's list
    MANAGER = "manager"  # all of its store
    ADMIN = "admin"  # every store of the database


class User(SQLModel, table=True):
    """A login to the consoles; an agent user is the call-desk agent with the same code."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="ck_user_role"),
        # Only an admin works across stores; everyone else belongs to one.
        CheckConstraint("role = 'admin' OR store_id IS NOT NULL", name="ck_user_store"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = code_field(32, unique=True)  # the login name
    name: str
    role: str = code_field(8)
    store_id: int | None = Field(default=None, foreign_key="store.id")
    password_hash: str
    active: bool = True
    password_changed_at: datetime = created_at_field()
    # Sessions signed in before this no longer count: logout is a fact the server keeps,
    # since a signed cookie copied before it would otherwise still work.
    sessions_valid_after: datetime | None = moment_field()
    last_login_at: datetime | None = moment_field()
    created_at: datetime = created_at_field()


class LoginResult(StrEnum):
    OK = "ok"
    WRONG_PASSWORD = "wrong_password"
    UNKNOWN_USER = "unknown_user"
    DISABLED = "disabled"
    THROTTLED = "throttled"


class LoginEvent(SQLModel, table=True):
    """One login or failed login; recent failures of a name make it wait."""

    __tablename__ = "login_event"
    __table_args__ = (
        Index("ix_login_event_username_at", "username", "at"),
        CheckConstraint(one_of("result", LoginResult), name="ck_login_event_result"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = code_field(64)  # as typed (cut to 64), a code, never a phone or a name
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    at: datetime = created_at_field()
    result: str = code_field(16)
    remote: str | None = code_field(64, default=None)


class AppSecret(SQLModel, table=True):
    """A secret generated on first start when the environment gives none (the session key)."""

    __tablename__ = "app_secret"

    name: str = code_field(32, primary_key=True)
    value: str
    created_at: datetime = created_at_field()
