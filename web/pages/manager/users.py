"""The logins (admin): add, disable, reset a password, set a role and a store.

Admins only: a manager is refused here (403) by the router's own guard. Every change
goes through crm.actions.users, which writes the audit row; a password is never shown
back, not even in a refused form.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from crm.actions.setup import list_stores
from crm.actions.users import (
    add_user,
    list_users,
    reset_password,
    set_role,
    set_user_active,
    show_user,
)
from crm.errors import CrmError, Forbidden, NotFound
from web.csrf import Posted
from web.render import page
from web.text import words

FLASH = "users_flash"
ROLES = ("agent", "manager", "admin")


def require_admin(request: Request) -> None:
    """Logins are the admin's alone; a manager meets a 403 that says so."""
    if request.state.viewer.role != "admin":
        raise Forbidden("this page is for administrators", field="admin")


router = APIRouter(dependencies=[Depends(require_admin)])


def _stores(request: Request) -> list[tuple[str, str]]:
    return [(row["code"], row["name"]) for row in list_stores(request.app.state.crm)]


@router.get("/users")
def users_page(request: Request):
    return _users(request)


def _users(request: Request, form: dict | None = None, errors: dict | None = None):
    return page(
        request,
        "manager/users.html",
        status_code=422 if errors else 200,
        users=list_users(request.app.state.crm),
        stores=_stores(request),
        roles=ROLES,
        form=form or {},
        errors=errors or {},
        flash=request.session.pop(FLASH, None),
    )


@router.post("/users")
def add(request: Request, form: Posted):
    app, viewer = request.app.state.crm, request.state.viewer
    values = {name: str(form.get(name, "")).strip() for name in ("code", "name", "role", "store")}
    try:
        _same_passwords(form)
        role = values["role"]
        store = None if role == "admin" else values["store"] or None
        password = str(form.get("password", ""))
        added = add_user(
            app, values["code"], values["name"], role, password, store, actor=viewer.code
        )
    except CrmError as exc:
        return _users(request, form=values, errors={_field(exc, "code"): str(exc)})
    request.session[FLASH] = words(app.settings.store.locale)("user_added", code=added["code"])
    return RedirectResponse("/users", status_code=303)


@router.get("/users/{code}")
def user_page(request: Request, code: str):
    return _user(request, code)


def _user(request: Request, code: str, errors: dict | None = None, form: dict | None = None):
    user = show_user(request.app.state.crm, code)
    return page(
        request,
        "manager/users_one.html",
        status_code=422 if errors else 200,
        user=user,
        stores=_stores(request),
        roles=ROLES,
        form=form or {},
        errors=errors or {},
        flash=request.session.pop(FLASH, None),
    )


@router.post("/users/{code}/role")
def change_role(request: Request, code: str, form: Posted):
    app = request.app.state.crm
    values = {name: str(form.get(name, "")).strip() for name in ("role", "store")}
    role = values["role"]
    try:
        show_user(app, code)  # an unknown login is a page that does not exist
        store = None if role == "admin" else values["store"] or None
        set_role(app, code, role, store, actor=request.state.viewer.code)
    except NotFound as exc:
        if exc.field != "store":
            raise
        return _user(request, code, errors={"store": str(exc)}, form=values)
    except CrmError as exc:
        return _user(request, code, errors={_field(exc, "role"): str(exc)}, form=values)
    return _saved(request, code, "user_saved")


@router.post("/users/{code}/password")
def change_password(request: Request, code: str, form: Posted):
    app = request.app.state.crm
    show_user(app, code)
    try:
        _same_passwords(form)
        reset_password(app, code, str(form.get("password", "")), actor=request.state.viewer.code)
    except CrmError as exc:
        return _user(request, code, errors={"password": str(exc)})
    return _saved(request, code, "password_saved")


@router.post("/users/{code}/active")
def change_active(request: Request, code: str, form: Posted):
    app = request.app.state.crm
    show_user(app, code)
    active = form.get("active") == "1"
    try:
        set_user_active(app, code, active, actor=request.state.viewer.code)
    except CrmError as exc:
        return _user(request, code, errors={"active": str(exc)})
    return _saved(request, code, "user_saved")


def _saved(request: Request, code: str, key: str):
    said = words(request.app.state.crm.settings.store.locale)(key, code=code)
    request.session[FLASH] = said
    return RedirectResponse(f"/users/{code}", status_code=303)


def _same_passwords(form) -> None:
    if str(form.get("password", "")) != str(form.get("confirm", "")):
        raise CrmError("the two passwords differ", field="password")


FIELDS = {"code", "name", "role", "store", "password", "active"}


def _field(exc: CrmError, default: str) -> str:
    return exc.field if exc.field in FIELDS else default
