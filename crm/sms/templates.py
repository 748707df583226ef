"""The known SMS kinds in one table: each kind's category and the variables its template gets.

Every caller reads this table: the planner and the call desk's fallback build their
messages with it (crm.sms.compose), lint and preview render each kind with exactly these
variables and nothing more, so a template that lints renders for real customers too.
A template not named here is a campaign's (服务节, 爱车养护课堂).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from crm.models import SmsCategory
from crm.vocabulary.kinds import GREETINGS, SMS_CATEGORY, Kind

FOLDER = Path(__file__).resolve().parents[2] / "templates" / "sms"


class SmsKind(NamedTuple):
    category: SmsCategory
    variables: tuple[str, ...]  # besides `store`, which every template gets
    one_day: bool = False  # a greeting belongs to its day: it expires at the day's end


# What the planner knows of every planned message: whom, which car, when.
PLANNED = ("customer", "vehicle_model", "plate", "due_date")
# A campaign's template is given these two only: the planner's vehicle fields are blank
# for a campaign, so a template must not rely on them.
CAMPAIGN = SmsKind(SmsCategory.MARKETING, ("customer", "campaign"))

# The variables each kind's template gets; its category and whether it belongs to one
# day are the vocabulary's (crm.vocabulary.kinds), so the table cannot disagree with it.
VARIABLES = {
    Kind.FIRST_SERVICE_SMS: (*PLANNED, "first_service_km"),
    # After a reminder's calls went unanswered; `reminder` is first_service or maintenance.
    Kind.REMINDER_FALLBACK: (*PLANNED, "reminder"),
    Kind.BIRTHDAY_SMS: PLANNED,
    Kind.ANNIVERSARY_SMS: (*PLANNED, "years"),
    Kind.HOLIDAY_SMS: (*PLANNED, "holiday"),
    Kind.CAMPAIGN_SMS: CAMPAIGN.variables,
}
KINDS: dict[str, SmsKind] = {
    str(name): SmsKind(SMS_CATEGORY[name], VARIABLES[name], one_day=name in GREETINGS)
    for name in SMS_CATEGORY
}


def kind(name: str) -> SmsKind:
    """The table's row for a kind (or a template); any other is a campaign's."""
    return KINDS.get(name, CAMPAIGN)


def category(name: str) -> SmsCategory:
    return kind(name).category


def variables(name: str) -> tuple[str, ...]:
    """The variables a template of this kind is rendered with, besides `store`."""
    return kind(name).variables


def known(locale: str, overrides: str | None = None) -> list[str]:
    """The template names a store can use: the product's for its locale and its own folder's."""
    names = {path.stem for path in (FOLDER / locale).glob("*.txt")}
    if overrides:
        names |= {path.stem for path in Path(overrides).glob("*.txt")}
    return sorted(names)
