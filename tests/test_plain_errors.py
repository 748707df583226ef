"""The core's errors are for any front end: they name no CLI command and no option."""

import ast
import re
from pathlib import Path

CRM = Path(__file__).resolve().parent.parent / "crm"
CLI_WORDS = re.compile(
    r"`crm |\bcrm (init|plan|calls|sms|stores|agents|complaints)\b|(^|[\s(])--?[a-z]"
)


def raised_texts(path: Path):
    """(line, text) of every string literal inside a `raise` of `path`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield node.lineno, part.value


def test_no_error_raised_in_the_core_names_a_cli_command_or_option():
    offenders = [
        f"{path.relative_to(CRM.parent)}:{line}: {text!r}"
        for path in sorted(CRM.rglob("*.py"))
        if "migrations" not in path.parts
        for line, text in raised_texts(path)
        if CLI_WORDS.search(text)
    ]

    assert offenders == []


def test_the_check_catches_an_error_that_names_an_option(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('raise ValueError("pass --force if the odometer really reads that")\n')

    assert [text for _line, text in raised_texts(sample) if CLI_WORDS.search(text)] != []
