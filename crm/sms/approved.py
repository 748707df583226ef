"""The approved-template registry: each template's approved text, its slots, and what a
provider that sends only approved templates (Aliyun, Tencent) would refuse.

The store's Jinja2 template still writes the message, so the outbox shows exactly what
the customer reads; the approved text says which parts of it are fixed. A message is
sent as the template's code and the values found in its slots, never as free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.config import ApprovedTemplate, SmsSettings
from crm.errors import SmsTemplateError
from crm.models import SmsCategory
from crm.sms.providers.base import TemplateRules
from crm.sms.templates import KINDS as PLANNED_KINDS
from crm.sms.templates import category as category_of

SLOTS = {
    "aliyun": re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"),
    "tencent": re.compile(r"\{([0-9]+)\}"),
}
SLOT_FORM = {"aliyun": "${{{}}}", "tencent": "{{{}}}"}
# Both providers refuse a link in a variable, and 【】 is the signature's alone.
URL_IN_SLOT = re.compile(r"https?://|www\.|[a-z0-9-]+\.(?:com|cn|net|org|top|xyz|cc|ly)\b", re.I)
BRACKETS = ("【", "】")
# Private-use characters no template or customer writes: they mark where a variable went.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True)
class Approved:
    """One registry entry, parsed: fixed parts between slots, and which variable fills each."""

    name: str
    entry: ApprovedTemplate
    style: str
    slots: tuple[str, ...]  # slot names in the order they appear
    variables: dict[str, str]  # slot name -> the product's variable
    pattern: re.Pattern

    @property
    def marketing(self) -> bool:
        return self.entry.category == "marketing"

    def token(self, slot: str) -> str:
        return SLOT_FORM[self.style].format(slot)

    def extract(self, text: str) -> dict[str, str] | None:
        """The slot values that make `text` from the approved text; None when it differs."""
        found = self.pattern.fullmatch(text)
        if found is None:
            return None
        return {slot: found.group(group_name(slot)) for slot in dict.fromkeys(self.slots)}

    def ordered(self, values: dict[str, str]) -> list[str]:
        """Tencent's TemplateParamSet: the values of {1}, {2} … in number order."""
        return [values[slot] for slot in sorted(values, key=int)]


def group_name(slot: str) -> str:
    return f"s_{slot}"


def parse(name: str, entry: ApprovedTemplate, style: str) -> Approved:
    """The approved text split into fixed parts and slots, as a pattern that finds the values."""
    slot = SLOTS[style]
    pattern, seen, position, slots = "", set(), 0, []
    for found in slot.finditer(entry.text):
        pattern += re.escape(entry.text[position : found.start()])
        key = found.group(1)
        # A slot used twice holds the same value both times.
        pattern += f"(?P={group_name(key)})" if key in seen else f"(?P<{group_name(key)}>.+?)"
        seen.add(key)
        slots.append(key)
        position = found.end()
    pattern += re.escape(entry.text[position:])
    variables = {key: entry.slots.get(key, key) for key in slots}
    return Approved(name, entry, style, tuple(slots), variables, re.compile(pattern, re.S))


def registry(settings: SmsSettings, style: str) -> dict[str, Approved]:
    return {name: parse(name, entry, style) for name, entry in settings.approved.items()}


def slot_problems(approved: Approved, values: dict[str, str], rules: TemplateRules) -> list[str]:
    """What the provider would refuse in these slot values: length, a link, 【】."""
    problems = []
    for slot, value in values.items():
        token = approved.token(slot)
        if len(value) > rules.max_characters:
            problems.append(
                f"slot {token} holds {len(value)} characters, more than {rules.provider}'s "
                f"{rules.max_characters} ({rules.limit_setting})"
            )
        elif len(value) < rules.min_characters:
            problems.append(f"slot {token} is empty, which {rules.provider} refuses")
        if URL_IN_SLOT.search(value):
            problems.append(f"slot {token} holds a link, which {rules.provider} refuses")
        if any(mark in value for mark in BRACKETS):
            problems.append(f"slot {token} holds 【】, which belongs to the signature alone")
    return problems


def entry_problems(approved: Approved, category: str, rules: TemplateRules) -> list[str]:
    """What is wrong with the registry entry itself, whatever the template renders."""
    problems = []
    key = f"sms.approved.{approved.name}"
    if not rules.sign_name:
        problems.append(f"the signature is not set ({rules.sign_setting})")
    if category == SmsCategory.MARKETING and not approved.marketing:
        problems.append(
            f"{approved.name} is marketing (推广), but {key}.category is notice; register it "
            "as a marketing template"
        )
    if approved.marketing and not approved.entry.text.endswith(rules.opt_out):
        problems.append(
            f"a marketing template must end with {rules.provider}'s opt-out {rules.opt_out!r}"
        )
    if any(mark in approved.entry.text for mark in BRACKETS):
        problems.append(
            "the approved text holds 【】; the signature goes in SignName, not the text"
        )
    text = approved.entry.text
    for first, second in zip(approved.slots, approved.slots[1:], strict=False):
        if approved.token(first) + approved.token(second) in text:
            problems.append(
                f"slots {approved.token(first)}{approved.token(second)} touch: fixed text must "
                "stand between them so their values can be told apart"
            )
    unknown = [s for s in approved.slots if approved.variables[s] not in KNOWN_VARIABLES]
    if unknown:
        problems.append(
            f"slot {approved.token(unknown[0])} names no variable the product fills; map it "
            f'with {key}.slots (e.g. {{ "{unknown[0]}" = "customer" }})'
        )
    return problems


def fixed_text_problem(approved: Approved, marked: str) -> str | None:
    """Compare a rendering with marked variables to the approved text; None when they agree."""
    by_variable = {}
    for slot in approved.slots:
        by_variable.setdefault(approved.variables[slot], slot)
    stray = []

    def token(found: re.Match) -> str:
        variable = found.group(1)
        if variable not in by_variable:
            stray.append(variable)
            return found.group(0)
        return approved.token(by_variable[variable])

    text = re.sub(f"{MARK_OPEN}([a-z_]+){MARK_CLOSE}", token, marked)
    if stray:
        return f"the template uses {stray[0]}, which no slot of the approved text holds"
    if text == approved.entry.text:
        return None
    at = next(
        (i for i, (a, b) in enumerate(zip(text, approved.entry.text, strict=False)) if a != b),
        min(len(text), len(approved.entry.text)),
    )
    return (
        f"the fixed text differs from the approved text at character {at + 1}: the template "
        f"gives {text[at : at + 12]!r}, the approved text {approved.entry.text[at : at + 12]!r}"
    )


def marker(variable: str) -> str:
    return f"{MARK_OPEN}{variable}{MARK_CLOSE}"


# The variables a slot may hold (crm.sms.templates gives each kind its own).
KNOWN_VARIABLES = frozenset(
    ("customer", "vehicle_model", "plate", "due_date", "first_service_km", "years", "holiday")
    + ("campaign",)
)


class Refused(SmsTemplateError):
    """A message its provider would refuse: the template, the registry or a slot's value."""


def check_message(name: str, text: str, settings: SmsSettings, rules: TemplateRules) -> None:
    """Raise one sentence naming the template and the rule when `text` would be refused."""
    entry = settings.approved.get(name)
    if entry is None:
        raise Refused(
            f"SMS template {name} has no approved {rules.provider} template: register it with "
            f"{rules.provider} and add its code and text as sms.approved.{name}"
        )
    parsed = parse(name, entry, rules.slot_style)
    values = parsed.extract(text)
    if values is None:
        raise Refused(
            f"SMS template {name} would be refused by {rules.provider}: its text differs from "
            f"the approved text (sms.approved.{name})"
        )
    problems = entry_problems(parsed, str(category_of(name)), rules)
    problems += slot_problems(parsed, values, rules)
    if problems:
        raise Refused(f"SMS template {name} would be refused by {rules.provider}: {problems[0]}")


def resolve(table: dict[str, Approved], kind: str, text: str) -> tuple[Approved, dict] | None:
    """The approved template a queued message was written from, and its slot values.

    A campaign's row has kind campaign_sms and its own template's text: any entry that is
    not a planned kind's may be it.
    """
    if kind in table:
        candidates = [table[kind]]
    else:
        candidates = [a for name, a in table.items() if name not in PLANNED_KINDS]
    for approved in candidates:
        values = approved.extract(text)
        if values is not None:
            return approved, values
    return None


def drifted(kind: str, provider: str) -> str:
    return (
        f"the queued {kind} text matches no approved template in sms.approved (was the "
        f"registry changed after it was queued?); fix the registry or cancel those messages, "
        f"then run crm sms lint ({provider} sends approved templates only)"
    )
