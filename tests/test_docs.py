"""Every command is documented: help with an example, and a mention in the README."""

import re
from pathlib import Path

import click
import pytest

from cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
# A command as the README writes it; `crm agents add\|list` in a table names two.
MENTION = re.compile(r"\bcrm((?: [a-z][a-z-]*)+)((?:\\?\|[a-z][a-z-]*)*)")


def commands(group: click.Group, context: click.Context, prefix=("crm",)):
    """Each command under `group` with its full path, asked of click (lazy groups load)."""
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        path = (*prefix, name)
        yield " ".join(path), command
        if isinstance(command, click.Group):
            inner = click.Context(command, info_name=name, parent=context)
            yield from commands(command, inner, path)


def documented(text: str) -> set[str]:
    """The command paths `text` mentions, each with the groups above it."""
    found = set()
    for match in MENTION.finditer(text):
        *words, last = match.group(1).split()
        for name in [last, *re.findall(r"[a-z][a-z-]*", match.group(2))]:
            path = ["crm", *words, name]
            found.update(" ".join(path[:n]) for n in range(2, len(path) + 1))
    return found


COMMANDS = dict(commands(main, click.Context(main, info_name="crm")))
LEAVES = [path for path, command in COMMANDS.items() if not isinstance(command, click.Group)]
GROUPS = [path for path, command in COMMANDS.items() if isinstance(command, click.Group)]


def test_the_walk_finds_the_groups_and_their_commands():
    assert {"crm today", "crm calls", "crm calls log", "crm report monthly"} <= set(COMMANDS)


def test_the_readme_shorthand_names_each_command():
    assert documented("| `crm stores list\\|add` | the stores |") == {
        "crm stores",
        "crm stores list",
        "crm stores add",
    }


@pytest.mark.parametrize("path", LEAVES)
def test_every_command_has_help_with_an_example(path):
    help_text = COMMANDS[path].help or ""

    assert re.search(r"^\s*Example: crm ", help_text, re.MULTILINE), f"{path} --help has no example"


@pytest.mark.parametrize("path", GROUPS)
def test_every_group_says_what_it_holds(path):
    assert (COMMANDS[path].help or "").strip(), f"{path} --help is empty"


@pytest.mark.parametrize("path", list(COMMANDS))
def test_every_command_appears_in_the_readme(path):
    assert path in documented(README.read_text(encoding="utf-8")), f"README.md never names {path}"


def test_every_link_in_the_readme_can_be_followed_in_a_clone():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)", text) + re.findall(r"`(\.\./[^`]+)`", text)
    local = [target for target in targets if "://" not in target]

    assert local, "the README links its docs"
    outside = [target for target in local if target.startswith("../")]
    missing = [target for target in local if not (README.parent / target).exists()]
    assert outside == [] and missing == []
