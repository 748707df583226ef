"""The demo's console logins: one per demo agent and a manager, with printed passwords."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from crm.access.users import add_user
from crm.models import Store, User

MANAGER = ("m01", "王建国")


def demo_password(code: str) -> str:
    """The demo logins' password: printed by `make run`, documented, never for real stores."""
    return f"demo-{code}-pass"


def demo_logins(
    session: Session,
    store: Store,
    agents: list[tuple[str, str]],
    now: datetime,
    create: bool = True,
) -> list[dict]:
    """A console login for each demo agent and one manager, made when missing (a code another
    store's login already has is skipped); the store's demo logins."""
    wanted = [(code, name, "agent") for code, name in agents] + [(*MANAGER, "manager")]
    for code, name, role in wanted if create else []:
        if session.execute(select(User.id).where(User.code == code)).first() is None:
            add_user(session, store, code, name, role, demo_password(code), now)
    session.commit()
    mine = session.execute(
        select(User.code, User.name, User.role)
        .where(User.store_id == store.id, User.code.in_([code for code, _name, _role in wanted]))
        .order_by(User.role, User.code)
    ).all()
    return [
        {"code": code, "name": name, "role": role, "password": demo_password(code)}
        for code, name, role in mine
    ]
