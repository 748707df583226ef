"""Settings: config.toml loads into a strict object; a typo or a bad value names its key."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from crm.config import Settings, load_settings
from crm.errors import UsageError

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, toml: str) -> str:
    """The message load_settings gives for a config file holding `toml`."""
    path = write(tmp_path / "config.toml", toml)
    with pytest.raises(UsageError) as raised:
        load_settings(path)
    assert raised.value.exit_code == 2
    return str(raised.value)


def test_without_a_config_file_every_setting_takes_its_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    settings = load_settings(None)

    assert settings == Settings()
    assert settings.store.code == "demo"
    assert settings.store.timezone == "Asia/Shanghai"
    assert settings.followup.sales_callback.due_after_days == 7
    assert settings.followup.care_call.open_after_days == 30
    assert settings.sms.send_window == "09:00-20:00"
    assert settings.imports.batch_size == 1000


def test_the_shipped_config_toml_documents_exactly_the_defaults():
    assert load_settings(REPO_CONFIG) == Settings()


def test_a_config_toml_in_the_working_folder_is_read_without_being_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "config.toml", '[store]\ncode = "gz01"\nname = "广州天河店"\n')

    settings = load_settings(None)

    assert (settings.store.code, settings.store.name) == ("gz01", "广州天河店")
    assert settings.sms == Settings().sms


def test_a_setting_left_out_keeps_its_default_next_to_those_given(tmp_path):
    path = write(
        tmp_path / "store.toml",
        "[followup]\nmax_attempts = 5\n"
        "care_call = { open_after_days = 28, due_after_days = 33 }\n"
        '[maintenance.models."ID.4 CROZZ"]\ninterval_km = 15000\n'
        "[import]\nbatch_size = 200\n",
    )

    settings = load_settings(path)

    assert settings.followup.max_attempts == 5
    assert settings.followup.care_call.open_after_days == 28
    assert settings.followup.sales_callback == Settings().followup.sales_callback
    assert settings.maintenance.models["ID.4 CROZZ"].interval_km == 15000
    assert settings.maintenance.models["ID.4 CROZZ"].interval_months == 6
    assert settings.imports.batch_size == 200


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[store]\nnmae = "x"\n', "store.nmae"),
        ("[stroe]\ncode = 'x'\n", "stroe"),
        (
            "[followup]\nsales_callback = { open_after_days = 1, due_after_days = 7, due = 3 }\n",
            "followup.sales_callback.due",
        ),
        (
            '[maintenance.models."朗逸"]\ninterval_kms = 7500\n',
            "maintenance.models.朗逸.interval_kms",
        ),
        ("[sms]\nbackend = 'console'\nsender_id = 'x'\n", "sms.sender_id"),
    ],
)
def test_an_unknown_key_is_a_typo_named_by_its_dotted_path(tmp_path, toml, key):
    path = tmp_path / "config.toml"

    message = config_error(tmp_path, toml)

    assert message == f"config file {path}: {key}: unknown key"


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        (
            '[store]\ntimezone = "Asia/Shanghia"\n',
            "store.timezone",
            "unknown time zone 'Asia/Shanghia'",
        ),
        (
            '[sms]\nsend_window = "20:00-09:00"\n',
            "sms.send_window",
            "the window must start before it ends, e.g. 09:00-20:00",
        ),
        ('[sms]\nsend_window = "9-20"\n', "sms.send_window", "String should match pattern"),
        ('[import]\nbatch_size = "1000"\n', "import.batch_size", "valid integer"),
        ('[followup]\nmax_attempts = "3"\n', "followup.max_attempts", "valid integer"),
        ("[followup]\nmax_attempts = 3.5\n", "followup.max_attempts", "valid integer"),
        ("[followup]\nmax_attempts = 0\n", "followup.max_attempts", "greater than or equal to 1"),
        (
            "[followup]\nsales_callback = { open_after_days = -1, due_after_days = 7 }\n",
            "followup.sales_callback.open_after_days",
            "greater than or equal to 0",
        ),
        ('[sms]\nrate_per_second = "fast"\n', "sms.rate_per_second", "valid number"),
        ('[sms]\nbackend = "smtp"\n', "sms.backend", "String should match pattern"),
        ("[store]\ncode = 42\n", "store.code", "valid string"),
        ('[store]\nlocale = "fr"\n', "store.locale", "String should match pattern"),
        ('[followup]\nholidays = "new_year"\n', "followup.holidays", "valid list"),
    ],
)
def test_a_bad_value_stops_loading_naming_its_key_and_why(tmp_path, toml, key, reason):
    path = tmp_path / "config.toml"

    message = config_error(tmp_path, toml)

    assert message.startswith(f"config file {path}: {key}: ")
    assert reason in message
    assert "Value error" not in message
    assert "\n" not in message


def test_true_or_yes_where_a_count_belongs_is_rejected(tmp_path):
    # Strict: a lax model would read the TOML boolean true as 1 attempt.
    assert "followup.max_attempts" in config_error(tmp_path, '[followup]\nmax_attempts = "yes"\n')
    assert "followup.max_attempts" in config_error(tmp_path, "[followup]\nmax_attempts = true\n")


def test_an_integer_rate_is_a_valid_rate(tmp_path):
    path = write(tmp_path / "config.toml", "[sms]\nrate_per_second = 5\n")

    assert load_settings(path).sms.rate_per_second == 5.0


def test_a_config_file_that_is_not_there_is_one_sentence_and_exit_2(tmp_path):
    path = tmp_path / "nowhere.toml"

    with pytest.raises(UsageError) as raised:
        load_settings(path)

    assert raised.value.exit_code == 2
    assert str(raised.value) == f"config file {path} does not exist"
    assert raised.value.field == "config"  # the CLI says --config, a page its own words


def test_the_cli_names_the_config_option_beside_a_missing_file(tmp_path):
    from click.testing import CliRunner

    from cli import main

    path = tmp_path / "nowhere.toml"
    result = CliRunner().invoke(main, ["--config", str(path), "stores", "list"])

    assert result.exit_code == 2
    assert result.output == f"Error: config file {path} does not exist (--config PATH)\n"


@pytest.mark.parametrize(
    "text",
    ["[store\ncode = 'x'\n", "[store]\ncode = \n", "[store]\ncode = 'a'\ncode = 'b'\n"],
)
def test_a_file_that_is_not_toml_is_one_line_and_exit_2(tmp_path, text):
    path = write(tmp_path / "config.toml", text)

    with pytest.raises(UsageError) as raised:
        load_settings(path)

    message = str(raised.value)
    assert raised.value.exit_code == 2
    assert message.startswith(f"config file {path} is not valid TOML: ")
    assert "line" in message  # where to look
    assert "\n" not in message


def test_a_config_file_saved_in_gbk_is_not_valid_toml(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes('[store]\nname = "示例汽车4S店"\n'.encode("gbk"))

    with pytest.raises(UsageError, match=r"is not valid TOML"):
        load_settings(path)


def test_a_typo_in_the_config_stops_a_command_with_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRM_CONFIG", raising=False)
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    bad = write(tmp_path / "bad.toml", '[store]\nnmae = "示例汽车4S店"\n')

    result = CliRunner().invoke(main, ["--config", str(bad), "today"])

    assert result.exit_code == 2
    assert result.stderr == f"Error: config file {bad}: store.nmae: unknown key\n"
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert not (tmp_path / "crm.db").exists()  # stopped before touching any database


def test_a_typo_in_the_config_toml_of_the_working_folder_stops_every_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRM_CONFIG", raising=False)
    write(tmp_path / "config.toml", '[sms]\nsend_window = "20:00-09:00"\n')

    result = CliRunner().invoke(main, ["stores", "list"])

    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: config file config.toml: sms.send_window: "
        "the window must start before it ends, e.g. 09:00-20:00"
    )


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        (
            "[sms]\nmax_per_customer_per_day = 10000000000000000000\n",
            "sms.max_per_customer_per_day",
            "less than or equal to 100",
        ),
        (
            "[sms]\nreconcile_after_seconds = 1000000000000000\n",
            "sms.reconcile_after_seconds",
            "less than or equal to",
        ),
        ("[sms]\nrate_per_second = inf\n", "sms.rate_per_second", "finite number"),
        ("[sms]\nrate_per_second = nan\n", "sms.rate_per_second", "finite number"),
        (
            "[sms]\nread_timeout_seconds = 1e300\n",
            "sms.read_timeout_seconds",
            "less than or equal to",
        ),
        ("[maintenance]\nmax_pace_km_day = inf\n", "maintenance.max_pace_km_day", "finite number"),
    ],
)
def test_a_value_that_passes_its_type_but_no_real_store_uses_is_refused(
    tmp_path, toml, key, reason
):
    message = config_error(tmp_path, toml)

    assert message.startswith(f"config file {tmp_path / 'config.toml'}: {key}: "), message
    assert reason in message


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize(
    ("opening", "closing"),
    [("[", "]"), ("{b = ", "}")],
    ids=["arrays", "inline-tables"],
)
def test_deeply_nested_toml_stops_a_command_with_one_sentence_and_exit_2(
    tmp_path, monkeypatch, depth, opening, closing
):
    # tomllib parses nesting by recursion: this was a RecursionError traceback.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    nested = opening * depth + ("1" if opening != "[" else "") + closing * depth
    path = write(tmp_path / "deep.toml", f"a = {nested}\n")

    result = CliRunner().invoke(main, ["--config", str(path), "stores", "list"])

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: config file {path} is nested too deeply to be a config\n"
    assert not (tmp_path / "crm.db").exists()


def test_deeply_nested_toml_is_one_sentence(tmp_path):
    message = config_error(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")

    assert "nested too deeply" in message
