"""The consoles' users: adding, listing, disabling, passwords, signing in."""

from __future__ import annotations

from crm.access.users import Viewer
from crm.app import App
from crm.clock import utcnow
from crm.errors import UsageError


def add_user(
    app: App, code: str, name: str, role: str, password: str, store_code: str | None = None
) -> dict:
    """A new login; an agent's is the store's call-desk agent with the same code."""
    from crm.access.users import add_user as add
    from crm.models import Role
    from crm.stores import get_store

    with app.session() as session:
        store = None
        if role != Role.ADMIN:
            store = get_store(session, store_code or app.settings.store.code)
        elif store_code:
            raise UsageError("an admin works in every store; give no store", field="store")
        user = add(session, store, code, name, role, password, utcnow())
        return {"code": user.code, "name": user.name, "role": user.role, "store": store_code}


def list_users(app: App, store_code: str | None = None) -> list[dict]:
    from crm.access.users import list_users as listed
    from crm.stores import get_store

    with app.session() as session:
        return listed(session, get_store(session, store_code) if store_code else None)


def disable_user(app: App, code: str) -> dict:
    """The login stops working at once, its open pages included."""
    from crm.access.users import set_active

    with app.session() as session:
        user = set_active(session, code, False)
        return {"code": user.code, "active": user.active}


def reset_password(app: App, code: str, password: str) -> dict:
    from crm.access.users import reset_password as reset

    with app.session() as session:
        user = reset(session, code, password, utcnow())
        return {"code": user.code}


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
