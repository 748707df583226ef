"""The consoles' users: adding, listing, disabling, passwords, roles, signing in.

Every change is written to the audit trail (action "user") in its own transaction,
under the store the login belongs to (an admin's, which has none, under the configured
store); `actor` names who made it: a user's code, or "cli:<os user>".
"""

from __future__ import annotations

from crm.access.users import Viewer
from crm.app import App
from crm.clock import utcnow
from crm.errors import UsageError


def add_user(
    app: App,
    code: str,
    name: str,
    role: str,
    password: str,
    store_code: str | None = None,
    actor: str = "system",
) -> dict:
    """A new login; an agent's is the store's call-desk agent with the same code."""
    from crm.access.users import add_user as add
    from crm.models import Role
    from crm.stores import get_store

    now = utcnow()
    with app.session() as session:
        store = None
        if role != Role.ADMIN:
            store = get_store(session, store_code or app.settings.store.code)
        elif store_code:
            raise UsageError("an admin works in every store; give no store", field="store")
        user = add(session, store, code, name, role, password, now)
        _audit(app, session, user, actor, now, "added", {"role": role})
        session.commit()
        return {
            "code": user.code,
            "name": user.name,
            "role": user.role,
            "store": store.code if store else None,
        }


def list_users(app: App, store_code: str | None = None) -> list[dict]:
    from crm.access.users import list_users as listed
    from crm.stores import get_store

    with app.session() as session:
        return listed(session, get_store(session, store_code) if store_code else None)


def show_user(app: App, code: str) -> dict:
    """One login as the list shows it; an unknown code is NotFound."""
    from crm.access.users import get_user

    with app.session() as session:
        user = get_user(session, code)
        return next(row for row in list_users(app) if row["code"] == user.code)


def disable_user(app: App, code: str, actor: str = "system") -> dict:
    """The login stops working at once, its open pages included."""
    return set_user_active(app, code, False, actor)


def set_user_active(app: App, code: str, active: bool, actor: str = "system") -> dict:
    """Disable a login (it stops at once, its open pages included) or let it work again."""
    from crm.access.users import set_active

    if not active and code == actor:
        raise UsageError("you cannot disable your own login", field="active")
    now = utcnow()
    with app.session() as session:
        user = set_active(session, code, active)
        _audit(app, session, user, actor, now, "enabled" if active else "disabled")
        session.commit()
        return {"code": user.code, "active": user.active}


def reset_password(app: App, code: str, password: str, actor: str = "system") -> dict:
    """A new password (never shown back); the login's sessions end at their next page."""
    from crm.access.users import reset_password as reset

    now = utcnow()
    with app.session() as session:
        user = reset(session, code, password, now)
        _audit(app, session, user, actor, now, "password reset")
        session.commit()
        return {"code": user.code}


def set_role(
    app: App, code: str, role: str, store_code: str | None = None, actor: str = "system"
) -> dict:
    """A login's new role and store (an admin has none); its sessions end at once."""
    from crm.access.users import get_user
    from crm.access.users import set_role as change
    from crm.models import Role
    from crm.stores import get_store

    if code == actor:
        raise UsageError("you cannot change your own role or store", field="role")
    if role == Role.ADMIN and store_code:
        raise UsageError("an admin works in every store; give no store", field="store")
    now = utcnow()
    with app.session() as session:
        user = get_user(session, code)
        before = (user.role, user.store_id)
        store = get_store(session, store_code) if store_code else None
        user = change(session, code, role, store, now)
        if (user.role, user.store_id) != before:
            detail = {"role": [before[0], user.role], "store": [before[1], user.store_id]}
            # A move between stores shows in both stores' trails.
            moved = {before[1], user.store_id} - {None}
            _audit(app, session, user, actor, now, "role or store", detail, moved)
        session.commit()
        return {"code": user.code, "role": user.role, "store": store.code if store else None}


def _audit(app, session, user, actor, now, what, detail=None, store_ids=()) -> None:
    """The change to `user` in the audit trail of its store(s); an admin's in the configured
    store's (an admin belongs to none)."""
    from crm.access.audit import record
    from crm.stores import get_store

    stores = set(store_ids) or ({user.store_id} - {None})
    for store_id in stores or {get_store(session, app.settings.store.code).id}:
        record(
            session,
            store_id=store_id,
            actor=actor,
            action="user",
            at=now,
            subject=f"{user.code} {what}",
            detail={"user": user.code, "change": what} | (detail or {}),
        )


def sign_in(app: App, username: str, password: str, remote: str | None = None) -> Viewer:
    """The user these credentials are; refused ones are recorded and throttled."""
    from crm.access.users import authenticate, viewer

    with app.session() as session:
        user = authenticate(session, username, password, utcnow(), remote)
        return viewer(session, user.id, None)


def sign_out(app: App, user_id: int) -> None:
    """End every session the user signed in before now."""
    from crm.access.users import sign_out as end

    with app.session() as session:
        end(session, user_id, utcnow())


def signed_in(app: App, user_id: int, signed_in_at) -> Viewer | None:
    """The user behind a session, while they are active and their password unchanged."""
    from crm.access.users import viewer

    with app.session() as session:
        return viewer(session, user_id, signed_in_at)


def session_secret(app: App) -> str:
    from crm.access.secrets import session_secret as secret

    with app.session() as session:
        return secret(session, utcnow())
