"""'Being called by': one console user holds a call while its card is open; nobody else,
console or CLI, can log it until it is saved, let go, or the hold runs out."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from crm.actions.desk import hold_call, log_call
from crm.actions.users import signed_in
from crm.app import App
from crm.config import Settings
from crm.errors import CrmError
from crm.models import ContactAttempt, FollowupTask, User
from tests.factories import NOW, TODAY, add_agent, add_customer, add_task, add_user


@pytest.fixture
def call(session):
    agent = add_agent(session, "a01", "李晓梅")
    add_agent(session, "a02", "张雨婷")
    for code, name in (("a01", "李晓梅"), ("a02", "张雨婷")):
        add_user(session, code, "agent", "not-used", name=name, password_changed_at=NOW)
    customer = add_customer(session)
    return add_task(session, customer, "care_call", TODAY, TODAY, agent_id=agent.id)


def viewers(session):
    app = App(Settings(), session.get_bind().url.render_as_string(hide_password=False))
    ids = {u.code: u.id for u in session.exec(select(User))}
    return app, signed_in(app, ids["a01"], None), signed_in(app, ids["a02"], None)


def test_the_second_agent_sees_who_holds_the_call_and_cannot_log_it(session, call):
    app, first, second = viewers(session)
    with freeze_time(NOW):
        assert hold_call(app, first, call.id)["mine"] is True
        seen = hold_call(app, second, call.id)
        assert (seen["mine"], seen["held_by"]) == (False, "李晓梅")
        with pytest.raises(CrmError, match="being called by 李晓梅"):
            log_call(app, second, call.id, "reached")
    session.expire_all()
    assert session.exec(select(ContactAttempt)).all() == []


def test_the_cli_cannot_log_a_call_someone_holds(session, call, crm):
    app, first, _second = viewers(session)
    with freeze_time(NOW):
        hold_call(app, first, call.id)

    result = crm("calls", "log", call.id, "--outcome", "reached", at=NOW + timedelta(minutes=1))

    assert result.exit_code == 2
    assert "being called by 李晓梅" in result.output


def test_saving_lets_go_and_an_unrenewed_hold_runs_out(session, call):
    app, first, second = viewers(session)
    with freeze_time(NOW):
        hold_call(app, first, call.id)
    with freeze_time(NOW + timedelta(minutes=6)):  # web.claim_minutes is 5
        assert hold_call(app, second, call.id)["mine"] is True
        with pytest.raises(CrmError, match="being called by 张雨婷"):
            log_call(app, first, call.id, "no_answer")
        logged = log_call(app, second, call.id, "no_answer")
    assert logged["task_status"] == "open"
    session.expire_all()
    task = session.get(FollowupTask, call.id)
    assert (task.claimed_by, task.attempts) == (None, 1)


def test_opening_another_card_lets_go_of_the_first(session, call):
    app, first, second = viewers(session)
    other = add_task(session, add_customer(session), "care_call", TODAY, TODAY)
    with freeze_time(NOW):
        hold_call(app, first, call.id)
        hold_call(app, first, other.id)
        assert hold_call(app, second, call.id)["mine"] is True


def test_of_many_agents_opening_one_call_at_once_exactly_one_holds_it(session, call):
    app, *_ = viewers(session)
    for n in range(3, 9):
        add_user(session, f"a{n:02d}", "manager", "not-used", password_changed_at=NOW)
    people = [signed_in(app, u.id, None) for u in session.exec(select(User))]
    barrier = threading.Barrier(len(people))
    won = []

    def race(viewer):
        barrier.wait()
        won.append(hold_call(app, viewer, call.id)["mine"])

    threads = [threading.Thread(target=race, args=(v,)) for v in people]
    with freeze_time(NOW):  # one frozen clock for every thread
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(won) == [False] * (len(people) - 1) + [True]
