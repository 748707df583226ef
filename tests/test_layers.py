"""The code's layers hold: no import runs up a layer, crm/ has no import cycles, no module is huge.

Lowest first (README, Layout):
1. base: errors, clock, config, db, bulk, app, models, migrations, and crm.vocabulary
   (task kinds, calendars, phones, stale predictions), which every layer may import;
2. domain: the packages in DOMAIN's order, each importing only base and those before it;
3. actions: crm.actions, one function per thing a user does;
4. front ends: cli.py, commands/, jobs/, web/, which parse, call an action and show.

Imports are read with `ast`, module-level and inside functions alike: a lazy import that
runs up a layer is still a dependency on the layer above.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"crm", "cli", "commands", "jobs", "web"}

BASE = {
    "crm",
    "crm.errors",
    "crm.clock",
    "crm.config",
    "crm.db",
    "crm.bulk",
    "crm.app",  # the settings and the engine every command opens
    "crm.models",
    "crm.migrations",
    "crm.vocabulary",
}
# Lowest first. `crm.stores` only looks stores up, so every package may use it; `today`
# and `demo` compose the packages below them.
DOMAIN = [
    "crm.stores",
    "crm.access",
    "crm.sms",
    "crm.importing",
    "crm.followup",
    "crm.calls",
    "crm.report",
    "crm.overview",
    "crm.today",
    "crm.demo",
    "crm.workers",  # the scheduled runs the workers share: only models below it
]
ACTIONS = {"crm.actions"}
FRONT_ENDS = {"cli", "commands", "jobs", "web"}

MAX_LINES = 400


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    path: str  # its file, relative to the root
    line: int
    target: str  # the imported module, dotted
    module_level: bool


def layer(module: str) -> tuple[int, int, str] | None:
    """(layer, rank within the domain, unit) of a first-party module; None if unplaced."""
    parts = module.split(".")
    prefixes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    for prefix in prefixes:
        if prefix in BASE:
            return (1, 0, "base")
        if prefix in DOMAIN:
            return (2, DOMAIN.index(prefix), prefix)
        if prefix in ACTIONS:
            return (3, 0, "actions")
        if prefix in FRONT_ENDS:
            return (4, 0, "front ends")
    return None


def modules(root: Path) -> dict[str, Path]:
    """Every first-party module under `root`, by dotted name."""
    found = {}
    for top in sorted(FIRST_PARTY):
        if (root / f"{top}.py").is_file():
            found[top] = root / f"{top}.py"
        for path in sorted((root / top).rglob("*.py")) if (root / top).is_dir() else []:
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(root: Path, known: dict[str, Path]) -> list[Import]:
    """Every first-party import in the modules `known`, where it stands and what it names."""
    result = []
    for source, path in known.items():
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, module_level in _import_nodes(tree):
            for target in _targets(node, package, known):
                if target.split(".")[0] in FIRST_PARTY:
                    rel = str(path.relative_to(root))
                    result.append(Import(source, rel, node.lineno, target, module_level))
    return result


def _import_nodes(tree: ast.Module):
    """Each import with whether it runs when the module loads (not in a function)."""
    stack = [(child, True) for child in tree.body]
    while stack:
        node, module_level = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, module_level
            continue
        inside = module_level and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        stack.extend((child, inside) for child in ast.iter_child_nodes(node))


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: dict) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: `from . import x`, `from ..sms import y`
        anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    # `from crm.calls import assignment` imports the module crm.calls.assignment.
    named = [f"{base}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(name if name in known else base for name in named))


def upward(found: list[Import]) -> list[str]:
    """Each import that runs from a lower layer (or domain package) to a higher one."""
    problems = []
    for imp in found:
        here, there = layer(imp.source), layer(imp.target)
        if here is None:
            problems.append(f"{imp.path}: module {imp.source} is in no layer; add it to one")
            continue
        if there is None:
            problems.append(f"{imp.path}:{imp.line} imports {imp.target}, which is in no layer")
            continue
        if there[:2] > here[:2]:
            problems.append(
                f"{imp.path}:{imp.line} imports {imp.target}: {here[2]} may not import "
                f"{there[2]}, which sits above it"
            )
    return problems


def cycles(found: list[Import], prefix: str = "crm") -> list[list[str]]:
    """Import cycles among `prefix`'s modules, by module-level imports: one path each."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        inside = imp.source.split(".")[0] == prefix == imp.target.split(".")[0]
        if imp.module_level and inside and imp.source != imp.target:
            graph.setdefault(imp.source, set()).add(imp.target)
    done: set[str] = set()
    result, seen = [], set()
    for start in sorted(graph):
        if start in done:
            continue
        # Depth-first from each module not yet finished; the path on the stack is the cycle.
        path, on_path = [start], {start}
        stack = [iter(sorted(graph.get(start, ())))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if step in on_path:
                cycle = path[path.index(step) :] + [step]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    result.append(cycle)
            elif step not in done:
                path.append(step)
                on_path.add(step)
                stack.append(iter(sorted(graph.get(step, ()))))
    return result


def oversized(known: dict[str, Path], root: Path) -> list[str]:
    too_long = []
    for module, path in known.items():
        if module.startswith("crm.") and not module.startswith("crm.migrations"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(root)} has {lines} lines (at most {MAX_LINES})")
    return too_long


KNOWN = modules(ROOT)
FOUND = imports(ROOT, KNOWN)


def test_no_import_runs_up_a_layer():
    problems = upward(FOUND)
    assert not problems, "\n".join(["imports that run up a layer:", *problems])


# The CLI and the web pages parse, call an action and show: they reach the core only
# through these.
CLI_MAY_IMPORT = ("crm.actions", "crm.app", "crm.config", "crm.errors")


def past_the_actions(found: list[Import]) -> list[str]:
    """Each import by cli.py, commands/ or web/ of a crm module that is not an action's door."""
    return [
        f"{imp.path}:{imp.line} imports {imp.target}; call an action in crm.actions instead"
        for imp in found
        if imp.source.split(".")[0] in ("cli", "commands", "web")
        and imp.target.startswith("crm")
        and not any(imp.target == m or imp.target.startswith(m + ".") for m in CLI_MAY_IMPORT)
    ]


def test_the_cli_and_the_web_reach_the_core_only_through_the_actions():
    problems = past_the_actions(FOUND)
    assert not problems, "\n".join(problems)


def test_crm_has_no_import_cycles():
    found = [" -> ".join(cycle) for cycle in cycles(FOUND)]
    assert not found, "\n".join(["import cycles in crm/:", *found])


def test_no_module_in_crm_is_over_400_lines():
    too_long = oversized(KNOWN, ROOT)
    assert not too_long, "\n".join(["split these modules by concept:", *too_long])


def test_the_check_reads_every_package():
    assert {"crm.vocabulary.kinds", "crm.sms.lint", "crm.calls.results", "cli", "web.app"} <= set(
        KNOWN
    )
    assert len(FOUND) > 200


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_check_names_the_file_and_import_that_runs_up(tmp_path):
    write(
        tmp_path,
        {
            "crm/__init__.py": "",
            "crm/sms/__init__.py": "",
            "crm/sms/lint.py": "def f():\n    from crm.followup.rules import Kind\n",
            "crm/followup/__init__.py": "",
            "crm/followup/rules.py": "from crm.vocabulary.kinds import Kind\n",
            "crm/vocabulary/__init__.py": "",
            "crm/vocabulary/kinds.py": "",
        },
    )
    known = modules(tmp_path)
    assert upward(imports(tmp_path, known)) == [
        "crm/sms/lint.py:2 imports crm.followup.rules: crm.sms may not import crm.followup, "
        "which sits above it"
    ]


def test_the_check_finds_a_cycle(tmp_path):
    write(
        tmp_path,
        {
            "crm/__init__.py": "",
            "crm/calls/__init__.py": "",
            "crm/calls/a.py": "from crm.calls import b\n",
            "crm/calls/b.py": "import crm.calls.c\n",
            "crm/calls/c.py": "from crm.calls.a import x\ndef f():\n    import crm.calls.b\n",
        },
    )
    found = imports(tmp_path, modules(tmp_path))
    assert cycles(found) == [["crm.calls.a", "crm.calls.b", "crm.calls.c", "crm.calls.a"]]


def test_the_check_names_a_command_that_reaches_past_the_actions(tmp_path):
    write(
        tmp_path,
        {
            "crm/__init__.py": "",
            "crm/calls/__init__.py": "",
            "crm/calls/results.py": "",
            "crm/actions/__init__.py": "",
            "crm/actions/calls.py": "from crm.calls import results\n",
            "commands/__init__.py": "",
            "commands/calls.py": (
                "from crm.actions import calls\ndef f():\n    from crm.calls.results import x\n"
            ),
        },
    )
    found = imports(tmp_path, modules(tmp_path))
    assert past_the_actions(found) == [
        "commands/calls.py:3 imports crm.calls.results; call an action in crm.actions instead"
    ]
