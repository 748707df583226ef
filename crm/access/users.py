"""Console users: an agent works its own list, a manager all of its store, an admin every store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from crm.access.passwords import hash_password, verify, waste_time
from crm.errors import CrmError, NotFound, UsageError
from crm.models import Agent, LoginEvent, LoginResult, Role, Store, User

CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
ROLES = [str(role) for role in Role]
FAILURES_ALLOWED = 5  # failed logins of one name in THROTTLE_WINDOW before it must wait
THROTTLE_WINDOW = timedelta(minutes=15)


class LoginRefused(CrmError):
    """A login that did not succeed; the sentence never says whether the name exists."""

    exit_code = 2


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as every page sees it: who, which role, which store."""

    user_id: int
    code: str
    name: str
    role: str
    store_id: int | None  # None only for an admin
    agent_id: int | None  # the call-desk agent an agent user is

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    def may_see_store(self, store_id: int) -> bool:
        return self.role == Role.ADMIN or store_id == self.store_id


def add_user(
    session: Session, store: Store | None, code: str, name: str, role: str, password: str, now
) -> User:
    """A new login; an agent login is the store's agent with that code (created when new).

    The caller commits.
    """
    if not CODE.match(code or ""):
        raise UsageError(f"user code {code!r} must be 1-32 letters, digits, - or _", field="code")
    if not (name or "").strip():
        raise UsageError("a user needs a name, e.g. 李娜", field="name")
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    if role != Role.ADMIN and store is None:
        raise UsageError(
            f"a{'n' if role == Role.AGENT else ''} {role} belongs to a store; say which",
            field="store",
        )
    if session.exec(select(User.id).where(User.code == code)).first() is not None:
        raise UsageError(f"user {code} already exists; pick another code", field="code")
    user = User(
        code=code,
        name=name.strip(),
        role=role,
        store_id=None if role == Role.ADMIN else store.id,
        password_hash=hash_password(password),
        password_changed_at=now,
        created_at=now,
    )
    session.add(user)
    if role == Role.AGENT and _agent(session, user) is None:
        session.add(Agent(store_id=store.id, code=code, name=user.name, created_at=now))
    session.flush()
    return user


def get_user(session: Session, code: str) -> User:
    user = session.exec(select(User).where(User.code == code)).first()
    if user is None:
        raise NotFound(f"no user {code!r}; the list of users shows every code", field="code")
    return user


def list_users(session: Session, store: Store | None) -> list[dict]:
    query = select(User, Store.code).outerjoin(Store, Store.id == User.store_id).order_by(User.code)
    if store is not None:
        query = query.where(User.store_id == store.id)
    return [
        {
            "code": user.code,
            "name": user.name,
            "role": user.role,
            "store": store_code,
            "active": user.active,
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        }
        for user, store_code in session.exec(query)
    ]


def set_active(session: Session, code: str, active: bool) -> User:
    """The login working or not (the caller commits)."""
    user = get_user(session, code)
    user.active = active
    session.flush()
    return user


def reset_password(session: Session, code: str, password: str, now: datetime) -> User:
    """A new password; sessions signed in before it end at their next page (the caller commits)."""
    user = get_user(session, code)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    session.flush()
    return user


def set_role(session: Session, code: str, role: str, store: Store | None, now: datetime) -> User:
    """A login's new role and store; its sessions end, so the next page asks it to sign in
    again and sees what the new role may (the caller commits).

    An agent login is the store's agent with its code: one is added when the store has none.
    """
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    if role != Role.ADMIN and store is None:
        raise UsageError(f"a {role} belongs to a store; say which", field="store")
    user = get_user(session, code)
    user.role = role
    user.store_id = None if role == Role.ADMIN else store.id
    user.sessions_valid_after = now
    session.add(user)
    if role == Role.AGENT and _agent(session, user) is None:
        session.add(Agent(store_id=store.id, code=code, name=user.name, created_at=now))
    session.flush()
    return user


def authenticate(
    session: Session, username: str, password: str, now: datetime, remote: str | None
) -> User:
    """The user whose name and password these are; every try is recorded.

    The try is written (as a failure) before the password is checked, so logins racing
    each other each see the others and no more than FAILURES_ALLOWED get through a window.
    """
    username = (username or "").strip()[:64]
    event = LoginEvent(
        username=username,
        at=now,
        result=LoginResult.WRONG_PASSWORD,
        remote=(remote or "")[:64] or None,
    )
    session.add(event)
    session.commit()
    failures = session.execute(
        select(func.count())
        .select_from(LoginEvent)
        .where(
            LoginEvent.username == username,
            LoginEvent.at > now - THROTTLE_WINDOW,
            LoginEvent.id < event.id,
            LoginEvent.result.in_([LoginResult.WRONG_PASSWORD, LoginResult.UNKNOWN_USER]),
        )
    ).scalar_one()
    user = session.exec(select(User).where(User.code == username)).first()
    if failures >= FAILURES_ALLOWED:
        result, message = (
            LoginResult.THROTTLED,
            (
                f"too many failed logins for this name; wait {THROTTLE_WINDOW.seconds // 60} "
                "minutes or ask your manager to reset the password"
            ),
        )
    elif user is None:
        waste_time(password)
        result, message = LoginResult.UNKNOWN_USER, "wrong user name or password"
    elif not verify(password, user.password_hash):
        result, message = LoginResult.WRONG_PASSWORD, "wrong user name or password"
    elif not user.active:
        result, message = LoginResult.DISABLED, "this login is disabled; ask your manager"
    else:
        result, message = LoginResult.OK, None
        user.last_login_at = now
    event.result = result
    event.user_id = user.id if user else None
    session.add(event)
    session.commit()
    if message:
        raise LoginRefused(message, field="password")
    return user


def sign_out(session: Session, user_id: int, now: datetime) -> None:
    """End the user's sessions signed in until now (a copied cookie included)."""
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_valid_after = now
        session.commit()


def viewer(session: Session, user_id: int, signed_in_at: datetime | None) -> Viewer | None:
    """The active user behind a session; None once disabled, signed out or its password changed."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    if signed_in_at is not None:
        ended = max(user.password_changed_at, user.sessions_valid_after or user.password_changed_at)
        if ended >= signed_in_at:
            return None
    agent = _agent(session, user) if user.role == Role.AGENT else None
    return Viewer(
        user_id=user.id,
        code=user.code,
        name=user.name,
        role=user.role,
        store_id=user.store_id,
        agent_id=agent.id if agent else None,
    )


def _agent(session: Session, user: User) -> Agent | None:
    return session.exec(
        select(Agent).where(Agent.store_id == user.store_id, Agent.code == user.code)
    ).first()
