"""Templates: every one lints, and lint catches what would embarrass the store on a phone."""

from pathlib import Path

import pytest

from crm.config import Settings, SmsSettings, StoreSettings
from crm.sms.lint import lint_all, lint_file
from crm.sms.render import TEMPLATES, render
from tests.factories import add_customer, add_vehicle

EVERY_TEMPLATE = sorted(TEMPLATES.glob("*/*.txt"))


@pytest.mark.parametrize("path", EVERY_TEMPLATE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_template_lints(path):
    finding = lint_file(path, path.parent.name, path.parent.name, Settings())

    assert finding.ok, finding.problems
    assert finding.text.startswith("【示例汽车4S店】")


def test_the_product_has_a_template_for_every_sms_kind_in_both_locales():
    kinds = {
        "first_service_sms",
        "reminder_fallback",
        "birthday_sms",
        "anniversary_sms",
        "holiday_sms",
        "service_festival",
        "car_care_class",
    }
    for locale in ("zh_CN", "en"):
        assert kinds <= {p.stem for p in (TEMPLATES / locale).glob("*.txt")}


def store_folder(tmp_path: Path, **templates: str) -> Settings:
    for kind, text in templates.items():
        (tmp_path / f"{kind}.txt").write_text(text, encoding="utf-8")
    return Settings(sms=SmsSettings(templates_dir=str(tmp_path)))


def test_lint_fails_a_template_that_uses_a_variable_nobody_provides(tmp_path):
    settings = store_folder(tmp_path, birthday_sms="{{ customer }}，{{ mileage }}公里了！")

    [finding] = [f for f in lint_all(settings) if f.source == str(tmp_path)]

    assert not finding.ok
    assert finding.problems == ["missing variable: 'mileage' is undefined"]


def test_lint_gives_each_kind_only_the_variables_its_sender_gives(tmp_path):
    settings = store_folder(
        tmp_path,
        anniversary_sms="{{ customer }}，{{ campaign }}期间购车{{ years }}周年快乐！",
        reminder_fallback="{{ customer }}，首保里程{{ first_service_km }}公里。",
        car_care_class="{{ customer }}，{{ vehicle_model }}车主请来参加{{ campaign }}。",
        holiday_sms="{{ customer }}，{{ holiday }}快乐！您的{{ vehicle_model }}（{{ plate }}）",
    )

    findings = {f.kind: f for f in lint_all(settings) if f.source == str(tmp_path)}

    assert findings["anniversary_sms"].problems == ["missing variable: 'campaign' is undefined"]
    assert findings["reminder_fallback"].problems == [
        "missing variable: 'first_service_km' is undefined"
    ]
    # A campaign's template: the planner has no vehicle for it, so it would read blank.
    assert findings["car_care_class"].problems == ["missing variable: 'vehicle_model' is undefined"]
    assert findings["holiday_sms"].ok


def test_a_store_template_the_planner_cannot_fill_stops_plan_with_one_sentence(
    crm, session, tmp_path
):
    from datetime import date

    wang = add_customer(session)
    add_vehicle(session, wang, date(2024, 3, 10))  # the second anniversary is today
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "anniversary_sms.txt").write_text("{{ customer }}，{{ campaign }}快乐")
    (tmp_path / "config.toml").write_text('[sms]\ntemplates_dir = "own"\n')

    result = crm("plan")

    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: SMS template ")
    assert "anniversary_sms.txt" in line and "'campaign' is undefined" in line
    assert "crm sms lint" in line


def test_preview_renders_with_what_the_planner_gives_and_says_what_is_missing(
    crm, session, tmp_path
):
    add_customer(session, customer_code="C001")
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "birthday_sms.txt").write_text("{{ customer }}，{{ years }}岁生日快乐")
    (tmp_path / "config.toml").write_text('[sms]\ntemplates_dir = "own"\n')

    result = crm("sms", "preview", "birthday_sms", "--customer", "C001")

    assert result.exit_code == 2
    assert "Error: SMS template" in result.output and "'years' is undefined" in result.output


def test_lint_fails_a_link_because_chinas_route_forbids_them(tmp_path):
    settings = store_folder(tmp_path, holiday_sms="{{ customer }}，详情见 t.cn/abc 节日快乐")

    [finding] = [f for f in lint_all(settings) if f.source == str(tmp_path)]

    assert "contains a link" in finding.problems[0]


@pytest.mark.parametrize(
    "text",
    [
        "{{ customer }}，详情见t.cn/abc节日快乐",
        "{{ customer }}，访问demo4s.com领取礼品",
        "{{ customer }}，报名请访问dwz.cn/x8",
        "{{ customer }}，点击Bit.LY/3xYz",
        "{{ customer }}，活动页192.168.1.20查看",
        "{{ customer }}，官网4s.vip有惊喜",
    ],
)
def test_lint_finds_a_link_glued_to_chinese_text(tmp_path, text):
    settings = store_folder(tmp_path, holiday_sms=text)

    [finding] = [f for f in lint_all(settings) if f.source == str(tmp_path)]

    assert finding.problems == ["contains a link, which this route forbids (sms.links_allowed)"]


def test_model_names_plates_and_sentences_are_not_links(tmp_path):
    settings = store_folder(
        tmp_path,
        holiday_sms="{{ customer }}，您的朗逸1.4T（粤A·D12345）No.1服务，3.5升机油。"
        "Thank you.To book, call us.",
    )

    [finding] = [f for f in lint_all(settings) if f.source == str(tmp_path)]

    assert finding.ok, finding.problems


def test_lint_fails_a_template_longer_than_the_segment_limit(tmp_path):
    settings = store_folder(tmp_path, birthday_sms="{{ customer }}" + "祝您生日快乐！" * 40)

    [finding] = [f for f in lint_all(settings) if f.source == str(tmp_path)]

    assert finding.encoding == "UCS-2"
    assert finding.segments == 5
    assert finding.problems == ["5 segments, more than sms.max_segments = 3"]


def test_marketing_templates_end_with_the_opt_out_line_and_service_ones_do_not():
    findings = {(f.source, f.kind): f for f in lint_all(Settings())}

    assert findings["zh_CN", "birthday_sms"].text.endswith("回T退订")
    assert not findings["zh_CN", "first_service_sms"].text.endswith("回T退订")


def test_a_stores_own_template_replaces_the_products_and_renders_sandboxed(tmp_path):
    store_folder(tmp_path, birthday_sms="{{ customer }}生日快乐！{{ customer.__class__ }}")
    own = str(tmp_path)

    with pytest.raises(Exception, match="__class__"):
        render("birthday_sms", "marketing", "zh_CN", "店", "回T退订", {"customer": "王"}, own)
    (tmp_path / "birthday_sms.txt").write_text("{{ customer }}，本店祝您生日快乐！")
    text = render("birthday_sms", "marketing", "zh_CN", "店", "回T退订", {"customer": "王"}, own)
    assert text == "【店】王，本店祝您生日快乐！回T退订"


def test_sms_lint_command_prints_each_template_and_fails_on_a_bad_one(crm, tmp_path):
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "birthday_sms.txt").write_text("{{ nickname }}生日快乐")
    (tmp_path / "config.toml").write_text('[sms]\ntemplates_dir = "own"\n')

    good = crm("--config", "/dev/null", "sms", "lint", "--format", "json")
    bad = crm("sms", "lint")

    assert good.exit_code == 0, good.output
    assert '"encoding": "UCS-2"' in good.output
    assert bad.exit_code == 1
    assert "missing variable" in bad.output


def test_preview_shows_the_exact_text_for_one_customer(crm, session):
    from datetime import date

    wang = add_customer(session, name="王伟", customer_code="C001")
    add_vehicle(session, wang, date(2025, 12, 10), model="朗逸", plate="粤A12345")

    result = crm("sms", "preview", "first_service_sms", "--customer", "C001")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "【示例汽车4S店】王先生您好，您的爱车朗逸（粤A12345）已到首保时间，首保里程5000公里，"
        "请于2026-03-10前后回店免费首保"
    )


def test_english_locale_uses_the_english_templates():
    settings = Settings(store=StoreSettings(locale="en", name="Demo Motors"))
    text = render(
        "birthday_sms",
        "marketing",
        settings.store.locale,
        "Demo Motors",
        "Reply T to stop",
        {"customer": "Wang Wei"},
    )
    assert text == (
        "【Demo Motors】Happy birthday, Wang Wei! Wishing you health and happiness.Reply T to stop"
    )


def test_a_templates_dir_that_does_not_exist_stops_at_start_with_the_key(crm, tmp_path):
    (tmp_path / "config.toml").write_text('[sms]\ntemplates_dir = "own"\n')

    result = crm("sms", "lint")

    assert result.exit_code == 2
    assert result.output == (
        f"Error: config file config.toml: sms.templates_dir: the folder 'own' does not exist "
        f"(read from {tmp_path}); create it, give an absolute path, or run crm from the "
        "folder holding it\n"
    )
