"""The approved-template registry: lint holds each template to its approved text, and a
message its provider would refuse stops planning and preview with one sentence."""

from pathlib import Path

import pytest

from crm.config import Settings, SmsSettings, StoreSettings
from crm.sms import compose
from crm.sms.approved import Refused
from crm.sms.lint import lint_all
from tests.factories import add_customer
from tests.sms.conftest import ALIYUN_APPROVED, TENCENT_APPROVED

OWN = {
    "first_service_sms": "{{ customer }}您好，您的爱车已到首保时间，"
    "请于{{ due_date }}前后回店免费首保。",
    "birthday_sms": "{{ customer }}，今天是您的生日，祝您生日快乐！",
}
CONFIG = """
[sms]
backend = "{backend}"
templates_dir = "own"
opt_out_line = "拒收请回复R"
[sms.{backend}]
sign_name = "示例汽车"
{extra}
"""


def store(tmp_path: Path, backend="aliyun", approved=None, templates=None, **provider) -> Settings:
    """A store with its own templates and a registry, as its config.toml would give them."""
    own = tmp_path / "own"
    own.mkdir(exist_ok=True)
    for name, text in (templates or OWN).items():
        (own / f"{name}.txt").write_text(text, encoding="utf-8")
    registry = approved or (ALIYUN_APPROVED if backend == "aliyun" else TENCENT_APPROVED)
    section = {"sign_name": "示例汽车"} | provider
    if backend == "tencent":
        section.setdefault("sdk_app_id", "1400000001")
    return Settings(
        store=StoreSettings(),
        sms=SmsSettings(
            backend=backend,
            templates_dir=str(own),
            opt_out_line="拒收请回复R",
            approved=registry,
            **{backend: section},
        ),
    )


def approved_findings(settings) -> dict:
    return {f.kind: f for f in lint_all(settings) if f.source == "sms.approved"}


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_lint_accepts_templates_that_write_exactly_the_approved_text(tmp_path, backend):
    findings = approved_findings(store(tmp_path, backend))

    assert findings["first_service_sms"].problems == []
    assert findings["birthday_sms"].problems == []
    assert findings["birthday_sms"].text.startswith("【示例汽车】")
    # The product's other templates have no approved counterpart yet: lint says so.
    assert "no approved" in findings["holiday_sms"].problems[0]


def test_lint_refuses_a_template_that_drifts_from_the_approved_text(tmp_path):
    drifted = OWN | {"first_service_sms": OWN["first_service_sms"].replace("免费", "")}

    [problem] = approved_findings(store(tmp_path, templates=drifted))["first_service_sms"].problems

    assert problem.startswith("the fixed text differs from the approved text at character")


def test_lint_refuses_a_template_using_a_variable_no_slot_holds(tmp_path):
    extra = OWN | {"birthday_sms": "{{ customer }}，{{ plate }}今天是您的生日，祝您生日快乐！"}

    problems = approved_findings(store(tmp_path, templates=extra))["birthday_sms"].problems

    assert "the template uses plate, which no slot of the approved text holds" in problems


def test_lint_refuses_a_slot_that_can_exceed_the_providers_limit(tmp_path):
    settings = store(tmp_path, "tencent", slot_max_characters=8)

    problems = approved_findings(settings)["first_service_sms"].problems

    assert problems == [
        "slot {2} holds 10 characters, more than Tencent's 8 (sms.tencent.slot_max_characters)"
    ]


def test_lint_refuses_a_slot_that_can_be_empty(tmp_path):
    approved = ALIYUN_APPROVED | {
        "first_service_sms": {
            "code": "SMS_100",
            "category": "notice",
            "text": "${customer}您好，您的爱车（${plate}）已到首保时间，"
            "请于${due_date}前后回店免费首保。",
        }
    }
    templates = OWN | {
        "first_service_sms": "{{ customer }}您好，您的爱车（{{ plate }}）已到首保时间，"
        "请于{{ due_date }}前后回店免费首保。"
    }

    problems = approved_findings(store(tmp_path, approved=approved, templates=templates))[
        "first_service_sms"
    ].problems

    assert problems == ["slot ${plate} is empty, which Aliyun refuses"]


def test_lint_refuses_a_marketing_template_without_the_opt_out(tmp_path):
    approved = ALIYUN_APPROVED | {
        "birthday_sms": {"code": "SMS_200", "category": "marketing", "text": "${customer}生日快乐"}
    }
    templates = OWN | {"birthday_sms": "{{ customer }}生日快乐"}
    settings = store(tmp_path, approved=approved, templates=templates)

    problems = approved_findings(
        settings.model_copy(update={"sms": settings.sms.model_copy(update={"opt_out_line": ""})})
    )["birthday_sms"].problems

    assert problems == ["a marketing template must end with Aliyun's opt-out '拒收请回复R'"]


def test_lint_refuses_a_greeting_registered_as_a_notice_and_a_missing_signature(tmp_path):
    approved = ALIYUN_APPROVED | {
        "birthday_sms": ALIYUN_APPROVED["birthday_sms"] | {"category": "notice"}
    }

    problems = approved_findings(store(tmp_path, approved=approved, sign_name=""))[
        "birthday_sms"
    ].problems

    assert problems[0] == "the signature is not set (sms.aliyun.sign_name)"
    assert problems[1].startswith("birthday_sms is marketing (推广), but sms.approved.birthday_sms")


def test_a_message_its_provider_would_refuse_stops_with_one_sentence(tmp_path, session):
    settings = store(tmp_path, "tencent")
    values = {"customer": "欧阳娜娜娜娜娜娜娜娜娜娜娜", "due_date": "2026-03-20"}

    with pytest.raises(Refused) as refused:
        compose.body("first_service_sms", "示例汽车4S店", settings, values)

    assert str(refused.value) == (
        "SMS template first_service_sms would be refused by Tencent: slot {1} holds 13 "
        "characters, more than Tencent's 12 (sms.tencent.slot_max_characters)"
    )


def test_the_text_has_no_brackets_for_a_template_provider(tmp_path):
    settings = store(tmp_path, "aliyun")
    values = {"customer": "王先生"}

    assert compose.body("birthday_sms", "示例汽车4S店", settings, values) == (
        "王先生，今天是您的生日，祝您生日快乐！拒收请回复R"
    )


def test_crm_sms_lint_and_preview_name_the_kind_and_the_rule(crm, session, tmp_path):
    add_customer(session, customer_code="C001")
    (tmp_path / "own").mkdir()
    for name, text in OWN.items():
        (tmp_path / "own" / f"{name}.txt").write_text(text.replace("免费", ""), encoding="utf-8")
    registry = "".join(
        f'[sms.approved.{name}]\ncode = "{e["code"]}"\ncategory = "{e["category"]}"\n'
        f'text = "{e["text"]}"\n'
        for name, e in ALIYUN_APPROVED.items()
    )
    (tmp_path / "config.toml").write_text(
        CONFIG.format(backend="aliyun", extra="") + registry, encoding="utf-8"
    )

    linted = crm("sms", "lint", "--format", "json")
    preview = crm("sms", "preview", "first_service_sms", "--customer", "C001")

    assert linted.exit_code == 1
    assert preview.exit_code == 2
    [line] = preview.output.strip().splitlines()
    assert line == (
        "Error: SMS template first_service_sms would be refused by Aliyun: its text differs "
        "from the approved text (sms.approved.first_service_sms); fix it and check it with "
        "`crm sms lint`"
    )


def test_an_unknown_key_in_the_registry_is_named(tmp_path):
    from crm.config import load_settings
    from crm.errors import UsageError

    path = tmp_path / "config.toml"
    path.write_text(
        '[sms.approved.birthday_sms]\ncode = "S"\ncategory = "marketing"\ntext = "x"\nslot = {}\n'
    )

    with pytest.raises(UsageError, match="sms.approved.birthday_sms.slot: unknown key"):
        load_settings(path)


def test_an_anniversary_with_no_approved_template_stops_plan_with_one_sentence(
    crm, session, tmp_path
):
    from datetime import date

    from tests.factories import add_vehicle

    wang = add_customer(session)
    add_vehicle(session, wang, date(2024, 3, 10))  # the second anniversary is today
    (tmp_path / "own").mkdir()
    for name, text in OWN.items():
        (tmp_path / "own" / f"{name}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "config.toml").write_text(CONFIG.format(backend="aliyun", extra=""))

    result = crm("plan")

    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(
        "Error: SMS template anniversary_sms has no approved Aliyun template: register it "
        "with Aliyun and add its code and text as sms.approved.anniversary_sms"
    )
