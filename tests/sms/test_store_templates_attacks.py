"""A store's own templates cannot crash a command, flood a phone or read outside their folder."""

import json

import pytest

from tests.factories import add_customer


def own_template(tmp_path, kind: str, text: str) -> None:
    (tmp_path / "own").mkdir(exist_ok=True)
    (tmp_path / "own" / f"{kind}.txt").write_text(text)
    (tmp_path / "config.toml").write_text('[sms]\ntemplates_dir = "own"\n')


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ customer + 1 }}", "TypeError"),
        ('{{ "祝" * 10000000 }}', "over 2000 characters"),
        ("{% for i in range(99999) %}生日快乐{% endfor %}", "characters (at most 2000)"),
        ("{{ 10 ** 100000 }}", "power over 64"),
    ],
    ids=["divide-by-zero", "type-error", "huge-string", "huge-loop", "huge-power"],
)
def test_a_broken_store_template_is_one_sentence_in_preview(crm, session, tmp_path, text, says):
    add_customer(session, customer_code="C001")
    own_template(tmp_path, "birthday_sms", text)

    result = crm("sms", "preview", "birthday_sms", "--customer", "C001")

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ") and says in line


@pytest.mark.parametrize("text", ["{{ 1 / 0 }}", '{{ "x" * 10000000 }}', "{{ customer + 1 }}"])
def test_lint_reports_a_broken_store_template_instead_of_crashing(crm, tmp_path, text):
    own_template(tmp_path, "birthday_sms", text)

    result = crm("sms", "lint")

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "birthday_sms" in result.output


def test_a_template_linked_to_a_file_outside_its_folder_is_refused(crm, session, tmp_path):
    add_customer(session, customer_code="C001")
    secret = tmp_path / "secret.txt"
    secret.write_text("TWILIO_AUTH_TOKEN=abc123")
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "birthday_sms.txt").symlink_to(secret)
    (tmp_path / "config.toml").write_text('[sms]\ntemplates_dir = "own"\n')

    result = crm("sms", "preview", "birthday_sms", "--customer", "C001")

    assert result.exit_code == 2, result.output
    assert "links outside its folder" in result.output
    assert "abc123" not in result.output


def test_lint_refuses_a_template_linked_to_a_file_outside_its_folder(crm, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TWILIO_AUTH_TOKEN=abc123")
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "birthday_sms.txt").symlink_to(secret)
    (tmp_path / "config.toml").write_text('[sms]\ntemplates_dir = "own"\n')

    result = crm("sms", "lint", "--format", "json")

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    (own,) = [f for f in json.loads(result.stdout) if f["source"] == "own"]
    assert own["ok"] is False
    [problem] = own["problems"]
    assert problem == (
        f"SMS template {tmp_path / 'own' / 'birthday_sms.txt'} "
        f"links outside its folder {(tmp_path / 'own').resolve()}"
    )
    assert "abc123" not in result.output
