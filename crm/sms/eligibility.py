"""Who may get an SMS of a category: one table of rules, read as SQL and as a check of one row.

Service messages need SMS consent, marketing messages (greetings, campaigns) marketing
consent; nobody gets anything on a number flagged invalid or once lost or deceased. An
opt-out turns both consents off, so it is the consent rules. The planner and the call
desk's fallback ask `refusal` of the customer in hand; dispatch claims and cancels
set-wise with `allowed` and `refusals`, built from the same rules.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, exists, not_, or_

from crm.models import Complaint, ComplaintStatus, Customer, CustomerStatus, SmsCategory

EVERY = frozenset(SmsCategory)
CUSTOMERS = Customer.__table__


class Rule(NamedTuple):
    reason: str  # what a refused message records
    column: str  # the customer's column that must hold `required`
    required: object
    categories: frozenset[str] = EVERY
    words: str = ""  # the reason for a person


# In this order: the first rule broken is the reason given.
RULES = (
    Rule(
        "customer_lost_or_deceased",
        "status",
        CustomerStatus.ACTIVE,
        words="the customer is lost or deceased",
    ),
    Rule("invalid_phone", "phone_valid", True, words="the phone number is invalid"),
    Rule("landline", "phone_sms", True, words="the number is a fixed line, which takes no SMS"),
    Rule(
        "no_consent",
        "sms_consent",
        True,
        frozenset({SmsCategory.SERVICE}),
        "no SMS consent",
    ),
    Rule(
        "no_consent",
        "marketing_consent",
        True,
        frozenset({SmsCategory.MARKETING}),
        "no marketing consent",
    ),
)
LOST = RULES[0]
# No marketing while a complaint is unsettled (open, or resolved and not yet confirmed):
# a birthday greeting or a festival offer then reads as not listening. Not a column of
# the customer: `refusal` reads the row's `in_complaint`, `refusals` asks the complaints.
IN_COMPLAINT = Rule(
    "open_complaint",
    "in_complaint",
    False,
    frozenset({SmsCategory.MARKETING}),
    "the customer has an open complaint",
)
UNSETTLED = (ComplaintStatus.OPEN, ComplaintStatus.RESOLVED)


def in_complaint(customer_id) -> ColumnElement:
    """SQL true where the customer (an id column) has an unsettled complaint."""
    return exists().where(Complaint.customer_id == customer_id, Complaint.status.in_(UNSETTLED))


def refusal(customer, category: str) -> Rule | None:
    """The first rule that keeps `customer` (a row with the rules' columns) from an SMS of
    `category`; None when they may get it. No customer at all counts as lost."""
    if customer is None:
        return LOST
    for rule in RULES:
        if category in rule.categories and getattr(customer, rule.column) != rule.required:
            return rule
    if category in IN_COMPLAINT.categories and getattr(customer, "in_complaint", False):
        return IN_COMPLAINT
    return None


def _broken(rule: Rule, category) -> ColumnElement | None:
    """SQL true where a customer (joined or correlated) breaks `rule` for `category`.

    `category` is one category, or a column holding each message's own.
    """
    column = CUSTOMERS.c[rule.column]
    broken = column.is_(False) if rule.required is True else column != rule.required
    if isinstance(category, str):
        return broken if category in rule.categories else None
    if rule.categories == EVERY:
        return broken
    return and_(category.in_(sorted(rule.categories)), broken)


def refusals(category) -> dict[str, ColumnElement]:
    """Reason → SQL true where a customer is refused an SMS of `category` for that reason."""
    found: dict[str, list[ColumnElement]] = {}
    for rule in RULES:
        broken = _broken(rule, category)
        if broken is not None:
            found.setdefault(rule.reason, []).append(broken)
    complaint = in_complaint(CUSTOMERS.c.id)
    if isinstance(category, str):
        if category in IN_COMPLAINT.categories:
            found[IN_COMPLAINT.reason] = [complaint]
    else:
        found[IN_COMPLAINT.reason] = [and_(category == SmsCategory.MARKETING, complaint)]
    return {reason: or_(*conditions) for reason, conditions in found.items()}


def allowed(category) -> ColumnElement:
    """SQL true where a customer may get an SMS of `category` (one, or each message's column)."""
    return not_(or_(*refusals(category).values()))
