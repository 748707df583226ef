"""Stores are checked by the core, whoever adds them: the CLI today, the web tomorrow."""

import pytest
from sqlalchemy import func, select

from crm.actions.setup import add_store, list_stores
from crm.app import App
from crm.config import Settings
from crm.errors import UsageError
from crm.models import Store


@pytest.mark.parametrize(
    ("code", "name", "zone", "field", "words"),
    [
        ("bad code!", "坏店", "Asia/Shanghai", "code", "letters, digits, - or _"),
        ("x" * 33, "长店", "Asia/Shanghai", "code", "1-32"),
        ("gz03", "  ", "Asia/Shanghai", "name", "needs a name"),
        ("gz03", "广州店", "Not/AZone", "timezone", "unknown time zone 'Not/AZone'"),
    ],
)
def test_the_core_refuses_a_store_that_cannot_work_and_names_the_field(
    database_url, session, code, name, zone, field, words
):
    app = App(settings=Settings(), database_url=database_url)

    with pytest.raises(UsageError) as refused:
        add_store(app, code, name, zone)

    assert refused.value.field == field
    assert words in str(refused.value)
    assert "--" not in str(refused.value)  # the core names no option: each front end does
    assert session.execute(select(func.count()).select_from(Store)).scalar_one() == 1


def test_a_good_store_is_added_and_listed(database_url):
    app = App(settings=Settings(), database_url=database_url)

    added = add_store(app, "la1", " LA Motors ", "America/Los_Angeles")

    assert added == {"code": "la1", "name": "LA Motors", "timezone": "America/Los_Angeles"}
    assert [s["code"] for s in list_stores(app)] == ["demo", "la1"]


def test_the_cli_shows_the_cores_sentence_beside_its_option(crm):
    zone = crm("stores", "add", "gz03", "--name", "广州店", "--timezone", "Not/AZone")
    code = crm("stores", "add", "bad code!", "--name", "坏店")

    assert zone.exit_code == 2
    assert zone.output == (
        "Error: unknown time zone 'Not/AZone'; use a zone such as Asia/Shanghai (--timezone TEXT)\n"
    )
    assert code.exit_code == 2
    assert code.output.startswith("Error: store code 'bad code!' must be 1-32 letters")
