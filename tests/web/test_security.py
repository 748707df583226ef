"""The console's guards, in-process: CSRF on every change, sessions that end, ids in URLs,
and each role seeing what it may."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from freezegun import freeze_time
from sqlmodel import select

from crm.app import App
from crm.config import Settings, WebSettings
from crm.models import AppSecret, ContactAttempt, FollowupTask, User
from tests.web.conftest import PASSWORD, SECRET

BASE = "http://testserver"


def console_of(database_url: str, **web) -> TestClient:
    from web.app import create_app

    settings = Settings(web=WebSettings(**web)) if web else Settings()
    return TestClient(create_app(App(settings, database_url)), base_url=BASE)


@pytest.fixture
def client(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def token_of(client: TestClient, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def signed_in(client: TestClient, username: str) -> TestClient:
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token_of(client)},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def post_routes() -> list[str]:
    """Every POST the console's pages declare, read from their source."""
    pages = Path(__file__).resolve().parents[2] / "web" / "pages"
    found = []
    for module in pages.glob("*.py"):
        found += re.findall(r'@router\.post\("([^"]+)"\)', module.read_text(encoding="utf-8"))
    return sorted(found)


def test_every_change_refuses_a_post_without_the_forms_token(client, desk, session):
    signed_in(client, "a01")
    routes = post_routes()
    assert {"/calls/{task}/log", "/logout", "/search", "/inquiries", "/login"} <= set(routes)
    for path in routes:
        answer = client.post(
            path.replace("{task}", str(desk.calls[0])),
            data={"outcome": "reached", "phone": "13911112222", "topic": "price"},
            headers={"Origin": BASE},
        )
        assert answer.status_code == 403, path
    session.expire_all()
    assert session.exec(select(ContactAttempt)).all() == []
    assert client.get("/day", follow_redirects=False).status_code == 200  # still signed in


def test_a_post_from_another_site_is_refused_even_with_the_token(client, desk, session):
    signed_in(client, "a01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    log = f"/calls/{desk.calls[0]}/log"
    form = {"outcome": "reached", "csrf_token": token}
    for headers in (
        {"Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain or another port
        {"Origin": "null"},
    ):
        assert client.post(log, data=form, headers=headers).status_code == 403, headers
    session.expire_all()
    assert session.get(FollowupTask, desk.calls[0]).attempts == 0
    # The same form from our own page goes through.
    ours = client.post(log, data=form, headers={"Sec-Fetch-Site": "same-origin", "Origin": BASE})
    assert ours.status_code == 200


def test_every_change_is_a_post(client, desk):
    signed_in(client, "a01")
    for path in (f"/calls/{desk.calls[0]}/log", "/logout", "/inquiries"):
        assert client.get(path).status_code == 405, path


def test_the_session_cookie_is_httponly_and_lax_and_secure_under_https(
    database_url, desk, monkeypatch
):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as plain:
        cookie = plain.get("/login").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    with console_of(database_url, public_url="https://crm.example.com") as https:
        assert "secure" in https.get("/login").headers["set-cookie"].lower()


def test_a_session_ends_after_its_lifetime(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with freeze_time("2027-01-10 01:00:00") as clock, console_of(database_url) as client:
        signed_in(client, "a01")
        clock.tick(timedelta(hours=11))
        assert client.get("/day", follow_redirects=False).status_code == 200
        clock.tick(timedelta(hours=2))
        answer = client.get("/day", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_disabling_a_user_or_resetting_its_password_ends_its_sessions(client, database_url):
    from crm.actions.users import disable_user, reset_password

    app = App(Settings(), database_url)
    signed_in(client, "a01")
    disable_user(app, "a01")
    assert client.get("/day", follow_redirects=False).headers["location"] == "/login"

    signed_in(client, "a02")
    reset_password(app, "a02", "new-pass-123")
    assert client.get("/day", follow_redirects=False).headers["location"] == "/login"


def test_logout_ends_the_session(client):
    signed_in(client, "a01")
    token = token_of(client, "/day")
    assert (
        client.post("/logout", data={"csrf_token": token}, headers={"Origin": BASE}).status_code
        == 200
    )
    assert client.get("/day", follow_redirects=False).headers["location"] == "/login"


def test_pages_put_ids_in_urls_never_a_phone_or_a_name(client, desk):
    signed_in(client, "a01")
    pages = [client.get("/day").text, client.get(f"/calls/{desk.history_task}").text]
    links = [
        href
        for text in pages
        for href in re.findall(r'(?:href|hx-get|hx-post|action)="([^"]+)"', text)
    ]
    assert any(link == f"/calls/{desk.calls[1]}" for link in links)
    for link in links:
        if link.startswith("tel:"):
            continue
        assert not re.search(r"\d{7,}|客户|[\u4e00-\u9fff]", link), link


def test_healthz_answers_while_the_database_does(client):
    assert client.get("/healthz").text == "ok"


def test_the_session_key_is_generated_into_the_database_once_when_unset(
    database_url, desk, session, monkeypatch
):
    monkeypatch.delenv("CRM_SECRET_KEY", raising=False)
    with console_of(database_url) as first:
        signed_in(first, "a01")
        cookies = first.cookies
    with console_of(database_url) as second:  # another web process of the same database
        second.cookies = cookies
        assert second.get("/day", follow_redirects=False).status_code == 200
    session.expire_all()
    assert len(session.exec(select(AppSecret)).all()) == 1


def test_a_short_secret_key_is_refused_at_start(database_url, monkeypatch):
    from crm.errors import CrmError

    monkeypatch.setenv("CRM_SECRET_KEY", "short")
    with pytest.raises(CrmError, match="at least 32 characters"):
        console_of(database_url)


def test_an_agent_lists_its_own_calls_and_a_manager_the_stores(client, desk, session):
    a02 = session.exec(select(User).where(User.code == "a02")).one()
    add_other = session.get(FollowupTask, desk.calls[5])
    from crm.models import Agent

    add_other.agent_id = session.exec(select(Agent.id).where(Agent.code == "a02")).one()
    session.add(add_other)
    session.commit()
    assert a02.role == "agent"

    listed = re.compile(r'<li class="call[^"]*" data-task-id="(\d+)"')
    signed_in(client, "a01")
    assert [int(i) for i in listed.findall(client.get("/day").text)] == desk.calls[:5]
    signed_in(client, "m01")
    assert [int(i) for i in listed.findall(client.get("/day").text)] == desk.calls


def test_an_admin_sees_every_store_and_others_only_their_own(client, desk, session, password_hash):
    from tests.factories import add_user

    add_user(session, "root", "admin", password_hash)
    signed_in(client, "root")
    assert f'data-task-id="{desk.other_store_task}"' in client.get("/day?store=north").text
    assert client.get(f"/calls/{desk.other_store_task}").status_code == 200
    signed_in(client, "m01")
    assert f'data-task-id="{desk.other_store_task}"' not in client.get("/day?store=north").text
    assert client.get(f"/calls/{desk.other_store_task}").status_code == 404


def test_a_page_without_a_session_goes_to_the_login(client, desk):
    for path in ("/day", f"/calls/{desk.calls[0]}", f"/customers/{desk.history_customer}"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login"), path
    htmx = client.get("/day", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"] == "/login"


def test_a_complaint_raised_on_the_card_takes_the_note_as_its_text(client, desk, session):
    from crm.models import Complaint

    signed_in(client, "a01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    form = {
        "csrf_token": token,
        "outcome": "reached",
        "satisfaction": "2",
        "note": "等了三个小时才交车",
        "complaint": "waiting_time",
    }
    answer = client.post(f"/calls/{desk.calls[0]}/log", data=form, headers={"Origin": BASE})

    assert answer.status_code == 200
    complaint = session.exec(select(Complaint)).one()
    assert (complaint.category, complaint.text) == ("waiting_time", "等了三个小时才交车")


def test_the_pages_speak_english_when_the_store_is_configured_so(database_url, desk, monkeypatch):
    from web.app import create_app

    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    settings = Settings.model_validate({"store": {"locale": "en"}})
    with TestClient(create_app(App(settings, database_url)), base_url=BASE) as client:
        assert "Sign in" in client.get("/login").text
        signed_in(client, "a01")
        day = client.get("/day").text
        assert "Overdue" in day and "已逾期" not in day
        assert 'lang="en"' in day


def test_a_cookie_copied_before_logout_no_longer_works(client):
    signed_in(client, "a01")
    copied = dict(client.cookies)
    token = token_of(client, "/day")
    client.post("/logout", data={"csrf_token": token}, headers={"Origin": BASE})

    client.cookies.clear()
    client.cookies.update(copied)
    assert client.get("/day", follow_redirects=False).headers["location"] == "/login"
    signed_in(client, "a01")  # a new login works again
    assert client.get("/day", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("odd", ["²", "%C2%B2", "-1", "1e3", "99999999999999999999"])
def test_an_odd_id_or_number_is_a_missing_page_never_a_crash(client, desk, odd):
    signed_in(client, "a01")
    for path in (f"/calls/{odd}", f"/customers/{odd}", f"/calls/{odd}/next"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/day?page={odd}").status_code == 200


@pytest.mark.parametrize(("field", "value"), [("satisfaction", "²"), ("mileage", "12abc")])
def test_an_odd_number_in_the_form_is_one_sentence_beside_it(client, desk, session, field, value):
    signed_in(client, "a01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    answer = client.post(
        f"/calls/{desk.calls[0]}/log",
        data={"csrf_token": token, "outcome": "reached", field: value},
        headers={"Origin": BASE, "HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert f'data-error-for="{field}"' in answer.text
    session.expire_all()
    assert session.get(FollowupTask, desk.calls[0]).attempts == 0


def test_an_error_about_a_field_the_card_lacks_still_shows(client, desk, session):
    signed_in(client, "a01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    answer = client.post(
        f"/calls/{desk.calls[0]}/log",
        data={"csrf_token": token, "outcome": "no_answer", "opt_out": "on"},
        headers={"Origin": BASE, "HX-Request": "true"},
    )
    assert 'data-error-for="opt_out"' in answer.text
    assert "需要先选择“接通”" in answer.text


def test_opening_a_card_reads_and_only_the_cards_post_holds_the_call(client, desk, session):
    signed_in(client, "m01")
    assert client.get(f"/calls/{desk.calls[0]}").status_code == 200
    session.expire_all()
    assert session.get(FollowupTask, desk.calls[0]).claimed_by is None

    token = token_of(client, "/day")
    held = client.post(
        f"/calls/{desk.calls[0]}/hold", data={"csrf_token": token}, headers={"Origin": BASE}
    )
    assert 'data-claim="mine"' in held.text
    session.expire_all()
    assert session.get(FollowupTask, desk.calls[0]).claimed_by is not None


def test_a_manager_logs_under_the_calls_agent_and_is_recorded_as_who_logged_it(
    client, desk, session
):
    signed_in(client, "m01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    client.post(
        f"/calls/{desk.calls[0]}/log",
        data={"csrf_token": token, "outcome": "no_answer"},
        headers={"Origin": BASE},
    )
    attempt = session.exec(select(ContactAttempt)).one()
    manager = session.exec(select(User).where(User.code == "m01")).one()
    assert attempt.logged_by == manager.id
    assert attempt.agent_id == session.get(FollowupTask, desk.calls[0]).agent_id


def test_past_the_first_page_the_card_sits_beside_its_own_page(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url, page_size=10) as client:
        signed_in(client, "m01")
        # Six calls fit one page of ten; the filter and page survive a save all the same.
        listed = client.get("/day?kind=care_call").text
        assert f'data-task-id="{desk.calls[1]}"' in listed
        assert f'data-task-id="{desk.calls[0]}"' not in listed
        token = token_of(client, f"/calls/{desk.calls[1]}?kind=care_call")
        saved = client.post(
            f"/calls/{desk.calls[1]}/log",
            data={"csrf_token": token, "outcome": "no_answer", "kind": "care_call"},
            headers={"Origin": BASE, "HX-Request": "true"},
        )
        assert saved.headers["HX-Push-Url"] == "/day?kind=care_call"  # no other care call


def test_the_card_opened_from_a_later_page_shows_that_page(
    database_url, desk, monkeypatch, session
):
    from tests.factories import add_customer, add_task

    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    for _ in range(10):
        add_task(session, add_customer(session), "care_call", desk.today, desk.today)
    last = session.exec(select(FollowupTask.id).order_by(FollowupTask.id.desc())).first()
    with console_of(database_url, page_size=10) as client:
        signed_in(client, "m01")
        page = client.get(f"/calls/{last}").text
        assert f'<li class="call is-current" data-task-id="{last}"' in page
        assert "第2/2页" in page


def test_a_customers_open_calls_are_calls_never_sms(client, desk, session):
    from tests.factories import add_task

    customer = session.get(FollowupTask, desk.history_task).customer_id
    from crm.models import Customer

    sms = add_task(
        session,
        session.get(Customer, customer),
        "birthday_sms",
        desk.today,
        desk.today,
        channel="sms",
    )
    signed_in(client, "a01")
    page = client.get(f"/customers/{customer}").text
    assert f"/calls/{desk.history_task}" in page
    assert f"/calls/{sms.id}" not in page


def test_search_takes_percent_and_underscore_as_themselves(client, desk):
    signed_in(client, "a01")
    token = token_of(client, "/day")
    for query in ("%%%", "___"):
        found = client.post(
            "/search", data={"csrf_token": token, "q": query}, headers={"Origin": BASE}
        )
        assert "data-customer-id" not in found.text, query


def test_the_next_call_after_a_save_skips_one_a_colleague_holds(client, desk, database_url):
    from crm.actions.desk import hold_call
    from crm.actions.users import signed_in as viewer_of

    app = App(Settings(), database_url)
    with app.session() as session:
        a02 = session.exec(select(User.id).where(User.code == "a02")).one()
    hold_call(app, viewer_of(app, a02, None), desk.calls[1])
    signed_in(client, "m01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    saved = client.post(
        f"/calls/{desk.calls[0]}/log",
        data={"csrf_token": token, "outcome": "no_answer"},
        headers={"Origin": BASE, "HX-Request": "true"},
    )
    assert saved.headers["HX-Push-Url"] == f"/calls/{desk.calls[2]}"


def test_a_save_refused_because_the_call_closed_meanwhile_says_so(client, desk, database_url):
    from crm.actions.calls import log_call

    signed_in(client, "a01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    log_call(App(Settings(), database_url), desk.calls[0], "reached")  # from the CLI, meanwhile
    answer = client.post(
        f"/calls/{desk.calls[0]}/log",
        data={"csrf_token": token, "outcome": "reached"},
        headers={"Origin": BASE, "HX-Request": "true"},
    )
    assert 'data-error-for="outcome"' in answer.text
    assert "此回访已关闭，未保存" in answer.text


def test_a_nul_character_in_a_posted_note_is_dropped_not_a_crash(client, desk, session):
    signed_in(client, "a01")
    token = token_of(client, f"/calls/{desk.calls[0]}")
    form = {"csrf_token": token, "outcome": "reached", "note": "客户\x00满意"}

    answer = client.post(f"/calls/{desk.calls[0]}/log", data=form, headers={"Origin": BASE})

    assert answer.status_code == 200
    attempt = session.exec(select(ContactAttempt)).one()
    assert attempt.note == "客户满意"


def test_an_admins_unknown_store_is_a_missing_page_and_not_kept(
    client, desk, session, password_hash
):
    from tests.factories import add_user

    add_user(session, "root", "admin", password_hash)
    signed_in(client, "root")
    assert client.get("/day?store=north").status_code == 200
    assert client.get("/day?store=nowhere").status_code == 404
    # The admin stays on the store picked before, not on 404 pages.
    assert f'data-task-id="{desk.other_store_task}"' in client.get("/day").text
