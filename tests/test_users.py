"""`crm users`: logins to the console, made, listed, disabled and reset from the CLI."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from crm.actions.users import sign_in
from crm.app import App
from crm.config import Settings
from crm.errors import CrmError
from crm.models import Agent, LoginEvent, User
from tests.factories import add_agent


def app_of(session) -> App:
    return App(Settings(), session.get_bind().url.render_as_string(hide_password=False))


def test_an_agent_login_reads_its_password_from_stdin_and_signs_in(crm, session):
    result = crm(
        "users",
        "add",
        "a05",
        "--name",
        "赵晨",
        "--role",
        "agent",
        "--password-stdin",
        input_text="s3cret-pass\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "user a05 (赵晨) added as agent in store demo"
    user = session.exec(select(User).where(User.code == "a05")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-pass" not in user.password_hash
    agent = session.exec(select(Agent).where(Agent.code == "a05")).one()  # made for it
    viewer = sign_in(app_of(session), "a05", "s3cret-pass")
    assert (viewer.role, viewer.agent_id) == ("agent", agent.id)


def test_an_existing_agent_is_given_a_login(crm, session):
    agent = add_agent(session, "a01", "李晓梅")

    result = crm(
        "users",
        "add",
        "a01",
        "--name",
        "李晓梅",
        "--role",
        "agent",
        "--password-stdin",
        input_text="s3cret-pass\n",
    )

    assert result.exit_code == 0, result.output
    assert len(session.exec(select(Agent)).all()) == 1
    assert sign_in(app_of(session), "a01", "s3cret-pass").agent_id == agent.id


def test_without_stdin_the_password_is_asked_twice(crm, session):
    asked = crm(
        "users",
        "add",
        "m01",
        "--name",
        "王建国",
        "--role",
        "manager",
        input_text="manager-pass\nmanager-pass\n",
    )
    assert asked.exit_code == 0, asked.output
    assert asked.output.count("Password") == 1 and "Repeat for confirmation" in asked.output

    mismatch = crm(
        "users",
        "add",
        "m02",
        "--name",
        "李四",
        "--role",
        "manager",
        input_text="manager-pass\nother-pass\nmanager-pass\nmanager-pass\n",
    )
    assert mismatch.exit_code == 0, mismatch.output
    assert "do not match" in mismatch.output


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["a05", "--name", "赵晨", "--role", "agent"], "short\n", "at least 8 characters"),
        (["a 5", "--name", "赵晨", "--role", "agent"], "s3cret-pass\n", "must be 1-32 letters"),
        (["a05", "--name", " ", "--role", "agent"], "s3cret-pass\n", "needs a name"),
        (["a05", "--name", "赵晨", "--role", "boss"], "s3cret-pass\n", "'boss' is not one of"),
        (
            ["a05", "--name", "赵晨", "--role", "agent", "--store", "nowhere"],
            "s3cret-pass\n",
            "nowhere",
        ),
        (
            ["root", "--name", "管理员", "--role", "admin", "--store", "demo"],
            "s3cret-pass\n",
            "every store",
        ),
        (["a05", "--name", "赵晨", "--role", "agent"], "", "no password on standard input"),
    ],
)
def test_a_bad_login_is_refused_in_one_line_and_nothing_is_stored(crm, session, args, stdin, says):
    result = crm("users", "add", *args, "--password-stdin", input_text=stdin)

    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and says in errors[0], result.output
    assert "Traceback" not in result.output
    assert session.exec(select(User)).all() == []


def test_a_taken_code_is_refused(crm, session):
    add = ("users", "add", "a05", "--name", "赵晨", "--role", "agent", "--password-stdin")
    crm(*add, input_text="s3cret-pass\n")

    again = crm(*add, input_text="s3cret-pass\n")

    assert again.exit_code == 2
    assert "user a05 already exists" in again.output


def test_list_disable_and_reset_password(crm, session):
    for code, role in (("a05", "agent"), ("m01", "manager"), ("root", "admin")):
        crm(
            "users",
            "add",
            code,
            "--name",
            code,
            "--role",
            role,
            "--password-stdin",
            input_text="first-pass-1\n",
        )

    listed = json.loads(crm("users", "list", "--format", "json").output)
    assert [(u["code"], u["role"], u["store"], u["active"]) for u in listed] == [
        ("a05", "agent", "demo", True),
        ("m01", "manager", "demo", True),
        ("root", "admin", None, True),
    ]

    assert crm("users", "disable", "a05").exit_code == 0
    with pytest.raises(CrmError, match="disabled"):
        sign_in(app_of(session), "a05", "first-pass-1")

    reset = crm("users", "reset-password", "m01", "--password-stdin", input_text="second-pass-2\n")
    assert reset.exit_code == 0, reset.output
    with pytest.raises(CrmError, match="wrong user name or password"):
        sign_in(app_of(session), "m01", "first-pass-1")
    assert sign_in(app_of(session), "m01", "second-pass-2").role == "manager"

    unknown = crm("users", "disable", "nobody")
    assert unknown.exit_code == 2 and "no user 'nobody'" in unknown.output


def test_failed_logins_are_recorded_without_saying_whether_the_name_exists(crm, session):
    crm(
        "users",
        "add",
        "a05",
        "--name",
        "赵晨",
        "--role",
        "agent",
        "--password-stdin",
        input_text="s3cret-pass\n",
    )
    app = app_of(session)

    for name in ("a05", "ghost"):
        with pytest.raises(CrmError) as refused:
            sign_in(app, name, "wrong-pass-1")
        assert str(refused.value) == "wrong user name or password"

    events = session.exec(select(LoginEvent.username, LoginEvent.result).order_by(LoginEvent.id))
    assert events.all() == [("a05", "wrong_password"), ("ghost", "unknown_user")]
