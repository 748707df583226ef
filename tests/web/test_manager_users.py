"""Users (admin only): add a login, set its role and store, reset its password, disable it;
a password is never shown back, and every change is in the audit trail."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from crm.models import Agent, AuditEvent, Store, User
from tests.factories import add_user
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import BASE, console_of, signed_in, token_of

SECRET_WORD = "north-star-2026"  # a password the pages must never show


@pytest.fixture
def admin(session, password_hash):
    return add_user(session, "ad1", "admin", password_hash, name="管理员")


@pytest.fixture
def client(database_url, desk, admin, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def user_changes(session) -> list[tuple[str, str, int]]:
    session.expire_all()
    rows = session.exec(select(AuditEvent).where(AuditEvent.action == "user")).all()
    return [(row.actor, row.subject, row.store_id) for row in rows]


def test_an_admin_adds_a_login_moves_it_resets_its_password_and_disables_it(
    console, open_page, desk, admin, session, database_url
):
    north = session.exec(select(Store).where(Store.code == "north")).one()
    page = open_page((1366, 900))
    sign_in(page, console, "ad1")
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="用户").click()

    page.get_by_label("用户名").fill("n02")
    page.get_by_label("姓名").fill("孙北辰")
    page.get_by_label("角色", exact=True).select_option("manager")
    page.get_by_label("门店", exact=True).select_option("north")
    page.get_by_label("密码", exact=True).fill(SECRET_WORD)
    page.get_by_label("再次输入密码").fill(SECRET_WORD + "x")
    page.get_by_role("button", name="添加").click()
    expect(page.locator("#password-error")).to_have_text("两次输入的密码不一致")
    expect(page.get_by_label("姓名")).to_have_value("孙北辰")  # kept, but not the passwords
    expect(page.get_by_label("密码", exact=True)).to_have_value("")
    assert SECRET_WORD not in page.content()

    page.get_by_label("密码", exact=True).fill(SECRET_WORD)
    page.get_by_label("再次输入密码").fill(SECRET_WORD)
    page.get_by_label("再次输入密码").press("Enter")
    expect(page.locator("#flash")).to_have_text("已添加用户 n02。")
    row = page.locator("#users tr[data-user=n02]")
    expect(row.locator("[data-col=role]")).to_have_text("经理")
    expect(row.locator("[data-col=store]")).to_have_text("north")
    screenshot(page, "m4-users", database_url)

    row.get_by_role("link", name="n02").click()
    page.get_by_label("角色", exact=True).select_option("agent")
    page.get_by_label("门店", exact=True).select_option("demo")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#flash")).to_have_text("用户 n02 已更新。")
    expect(page.locator("h1")).to_contain_text("坐席 · demo")

    page.get_by_label("新密码").fill("short")
    page.get_by_label("再次输入密码").fill("short")
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator("#password-error")).to_have_text("密码至少需要8个字符")
    page.get_by_label("新密码").fill("brand-new-pass-1")
    page.get_by_label("再次输入密码").fill("brand-new-pass-1")
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator("#flash")).to_contain_text("n02 的密码已重置")
    assert "brand-new-pass-1" not in page.content()

    page.get_by_role("button", name="停用").click()
    expect(page.locator("h1")).to_contain_text("已停用")

    session.expire_all()
    user = session.exec(select(User).where(User.code == "n02")).one()
    assert (user.role, user.store_id, user.active) == ("agent", 1, False)
    assert SECRET_WORD not in user.password_hash and user.password_hash.startswith("$argon2")
    agent = session.exec(select(Agent).where(Agent.code == "n02", Agent.store_id == 1)).one()
    assert agent.name == "孙北辰"  # an agent login is the store's agent with its code
    assert user_changes(session) == [
        ("ad1", "n02 added", north.id),
        ("ad1", "n02 role or store", 1),
        ("ad1", "n02 role or store", north.id),
        ("ad1", "n02 password reset", 1),
        ("ad1", "n02 disabled", 1),
    ]


def test_a_login_moved_to_another_role_must_sign_in_again(client, session, password_hash):
    from fastapi.testclient import TestClient

    add_user(session, "m02", "manager", password_hash, name="钱经理")
    moved = TestClient(client.app, base_url=BASE)
    signed_in(moved, "m02")
    assert moved.get("/dashboard", follow_redirects=False).status_code == 200
    signed_in(client, "ad1")
    answer = client.post(
        "/users/m02/role",
        data={"csrf_token": token_of(client, "/users/m02"), "role": "agent", "store": "demo"},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert moved.get("/dashboard", follow_redirects=False).headers["location"] == "/login"


def test_an_admin_cannot_disable_or_demote_their_own_login(client, session):
    signed_in(client, "ad1")
    token = token_of(client, "/users/ad1")
    off = client.post(
        "/users/ad1/active", data={"csrf_token": token, "active": "0"}, headers={"Origin": BASE}
    )
    down = client.post(
        "/users/ad1/role",
        data={"csrf_token": token, "role": "manager", "store": "demo"},
        headers={"Origin": BASE},
    )
    assert off.status_code == down.status_code == 422
    assert "不能停用自己的账号" in off.text and 'id="active-error"' in off.text
    assert "不能修改自己的角色或门店" in down.text and 'id="role-error"' in down.text
    session.expire_all()
    me = session.exec(select(User).where(User.code == "ad1")).one()
    assert (me.role, me.active) == ("admin", True)


def test_a_code_taken_is_said_beside_the_code(client, session):
    signed_in(client, "ad1")
    answer = client.post(
        "/users",
        data={
            "csrf_token": token_of(client, "/users"),
            "code": "a01",
            "name": "重名",
            "role": "agent",
            "store": "demo",
            "password": SECRET_WORD,
            "confirm": SECRET_WORD,
        },
        headers={"Origin": BASE},
    )
    assert answer.status_code == 422
    assert 'id="code-error"' in answer.text and "用户 a01 已存在" in answer.text
    assert SECRET_WORD not in answer.text


@pytest.mark.parametrize("who", ["m01", "a01"])
def test_only_an_admin_may_manage_logins(client, session, who):
    signed_in(client, who)
    token = token_of(client, "/day")
    listed = client.get("/users")
    added = client.post(
        "/users",
        data={"csrf_token": token, "code": "x01", "name": "某人", "role": "admin"}
        | {"password": SECRET_WORD, "confirm": SECRET_WORD},
        headers={"Origin": BASE},
    )
    reset = client.post(
        "/users/a02/password",
        data={"csrf_token": token, "password": SECRET_WORD, "confirm": SECRET_WORD},
        headers={"Origin": BASE},
    )
    assert listed.status_code == added.status_code == reset.status_code == 403
    if who == "m01":
        assert "此页面仅限系统管理员使用" in listed.text
    session.expire_all()
    assert session.exec(select(User).where(User.code == "x01")).first() is None
    assert user_changes(session) == []


def test_an_unknown_login_is_a_page_that_does_not_exist(client):
    signed_in(client, "ad1")
    token = token_of(client, "/users")
    assert client.get("/users/nobody").status_code == 404
    answer = client.post(
        "/users/nobody/active", data={"csrf_token": token, "active": "0"}, headers={"Origin": BASE}
    )
    assert answer.status_code == 404
