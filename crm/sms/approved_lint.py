"""`crm sms lint` for a template provider: each template the store can send, against its
approved text in the registry (`sms.approved`).

The template is rendered with a marker in place of each variable, so its fixed text can
be compared with the approved text character by character; each slot is then filled
with the longest (and the shortest) value the product gives that variable, so a slot
that can overflow the provider's limit is found before any customer's message is.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateError

from crm.config import Settings
from crm.sms import segments, templates
from crm.sms.approved import (
    entry_problems,
    fixed_text_problem,
    marker,
    parse,
    slot_problems,
)
from crm.sms.lint import BRANCHES, SAMPLES, Finding
from crm.sms.providers.base import TemplateRules
from crm.sms.render import TEMPLATES, sign, store_environment

# The longest value the product gives each computed variable; free text (a name, a car
# model, a campaign) is measured by lint's long samples.
LONGEST = {
    "customer": "欧阳建国",  # a full name: the salutation needs a known gender
    "due_date": "2026-12-31",
    "years": "99",
    "holiday": "中秋节、国庆节",  # two holidays on one day come joined
}
# The shortest: a car may have no plate yet.
SHORTEST = {"plate": ""}


def template_path(name: str, settings: Settings) -> Path:
    """The file that writes `name`: the store's own when it has one, else the product's."""
    own = settings.sms.templates_dir
    if own and (Path(own) / f"{name}.txt").is_file():
        return Path(own) / f"{name}.txt"
    return TEMPLATES / settings.store.locale / f"{name}.txt"


def longest(variable: str, settings: Settings) -> str:
    if variable == "first_service_km":
        return str(settings.followup.first_service_km)
    sample = SAMPLES[settings.store.locale].get(variable, "")
    return LONGEST.get(variable, str(sample))


def lint_approved(settings: Settings, rules: TemplateRules) -> list[Finding]:
    """One finding per template the store can send, and one per registry entry for none."""
    names = templates.known(settings.store.locale, settings.sms.templates_dir)
    findings = [lint_one(name, settings, rules) for name in names]
    for name in sorted(set(settings.sms.approved) - set(names)):
        finding = Finding("sms.approved", name, str(templates.category(name)))
        finding.problems.append(f"sms.approved.{name} names no template the store has")
        findings.append(finding)
    return findings


def lint_one(name: str, settings: Settings, rules: TemplateRules) -> Finding:
    category = str(templates.category(name))
    finding = Finding("sms.approved", name, category)
    entry = settings.sms.approved.get(name)
    if entry is None:
        finding.problems.append(
            f"no approved {rules.provider} template: register it and add sms.approved.{name}"
        )
        return finding
    approved = parse(name, entry, rules.slot_style)
    finding.problems += entry_problems(approved, category, rules)
    path = template_path(name, settings)
    variables = templates.variables(name)
    marked = {v: marker(v) for v in variables if v != "reminder"}
    branches = BRANCHES if "reminder" in variables else [{}]
    try:
        template = store_environment(str(path.parent.resolve())).get_template(path.name)
        texts = [
            sign(
                template.render(store=settings.store.name, **marked, **branch),
                category,
                settings.store.name,
                settings.sms.opt_out_line,
                bracket=False,
            )
            for branch in branches
        ]
    except TemplateError as exc:
        finding.problems.append(f"template error: {exc}")
        return finding
    for text in texts:
        problem = fixed_text_problem(approved, text)
        if problem and problem not in finding.problems:
            finding.problems.append(problem)
    slots = approved.variables
    longest_values = {slot: longest(variable, settings) for slot, variable in slots.items()}
    finding.problems += slot_problems(approved, longest_values, rules)
    shortest = {s: SHORTEST[v] for s, v in slots.items() if v in SHORTEST}
    finding.problems += slot_problems(approved, shortest, rules)
    # What the customer reads at its longest: the approved text with the longest values.
    text = entry.text
    for slot, value in longest_values.items():
        text = text.replace(approved.token(slot), value)
    finding.text = f"【{rules.sign_name}】{text}"
    measured = segments.count(finding.text)
    finding.characters, finding.encoding = measured.characters, measured.encoding
    finding.segments = measured.segments
    if measured.segments > settings.sms.max_segments:
        finding.problems.append(
            f"{measured.segments} segments, more than sms.max_segments = "
            f"{settings.sms.max_segments}"
        )
    return finding
