"""Whether a message may go now: who may get it (crm.sms.eligibility), the send window,
the daily cap, no repeats.

Set-wise where it can be (cancelling what the customer may no longer get is one UPDATE
per reason);
the cap and the 24-hour repeat guard are single-row upserts whose outcome the
database decides, so two senders at once cannot both pass them.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, exists, func, or_, select, true, update
from sqlmodel import Session

from crm.db import insert_for
from crm.models import (
    Customer,
    SmsDailyCount,
    SmsFingerprint,
    SmsMessage,
    SmsStatus,
    Store,
)
from crm.models.base import UTCDateTime
from crm.sms import eligibility

log = logging.getLogger("crm.sms")

MESSAGES = SmsMessage.__table__
REPEAT_GUARD = timedelta(hours=24)
# Birthday beats anniversary beats holiday beats a campaign for the day's one slot;
# service reminders take no slot and go first.
PRIORITY = {"birthday_sms": 1, "anniversary_sms": 2, "holiday_sms": 3}


def store_zones(session: Session) -> dict[int, ZoneInfo]:
    """Each store's zone. A store whose zone is unknown (a row from before stores were
    checked) has no send window: its messages wait, and the log says why."""
    zones = {}
    for sid, code, tz in session.execute(select(Store.id, Store.code, Store.timezone)):
        try:
            zones[sid] = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            log.error(
                "store %s has an unknown time zone %r: its SMS wait until it is set", code, tz
            )
    return zones


def in_window(moment: datetime, zone: ZoneInfo, window: tuple[time, time]) -> bool:
    local = moment.astimezone(zone).time()
    return window[0] <= local < window[1]


def next_opening(moment: datetime, zone: ZoneInfo, window: tuple[time, time]) -> datetime:
    """`moment` itself when the window is open then, else when it next opens (UTC)."""
    if in_window(moment, zone, window):
        return moment
    local = moment.astimezone(zone)
    day = local.date() if local.time() < window[0] else local.date() + timedelta(days=1)
    return datetime.combine(day, window[0], zone).astimezone(moment.tzinfo)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def expire_and_cancel(
    session: Session, now: datetime, store_ids: list[int] | None = None
) -> dict[str, int]:
    """Expire greetings past their day; cancel what the customer may no longer get
    (eligibility); in the stores named, or in every store."""
    ours = MESSAGES.c.store_id.in_(store_ids) if store_ids is not None else true()
    counts = {
        "expired": session.execute(
            update(MESSAGES)
            .where(
                MESSAGES.c.status == SmsStatus.QUEUED,
                MESSAGES.c.expires_at.is_not(None),
                MESSAGES.c.expires_at <= now,
                ours,
            )
            .values(status=SmsStatus.EXPIRED, error_message="its day passed", updated_at=now)
        ).rowcount
    }
    customer = Customer.__table__.c
    reasons = eligibility.refusals(MESSAGES.c.category)
    for reason, condition in reasons.items():
        forbidden = exists().where(customer.id == MESSAGES.c.customer_id, condition)
        counts[reason] = session.execute(
            update(MESSAGES)
            .where(MESSAGES.c.status == SmsStatus.QUEUED, ours, forbidden)
            .values(status=SmsStatus.CANCELLED, error_message=reason, updated_at=now)
        ).rowcount
    return counts


@lru_cache(maxsize=2)
def _daily_slot_statement(dialect: str):
    table = SmsDailyCount.__table__
    statement = insert_for(dialect)(table).values(
        customer_id=bindparam("customer_id"), day=bindparam("day"), used=1
    )
    return statement.on_conflict_do_update(
        index_elements=["customer_id", "day"],
        set_={"used": table.c.used + 1},
        where=table.c.used < bindparam("limit"),
    ).returning(table.c.used)


def take_daily_slot(session: Session, customer_id: int, day: date, limit: int) -> bool:
    """Count one marketing message for the customer's day; False when the day is full."""
    statement = _daily_slot_statement(session.get_bind().dialect.name)
    values = {"customer_id": customer_id, "day": day, "limit": limit}
    return session.execute(statement, values).first() is not None


def give_back_daily_slot(session: Session, customer_id: int, day: date) -> None:
    """A message that certainly did not go frees its slot."""
    table = SmsDailyCount.__table__
    session.execute(
        update(table)
        .where(table.c.customer_id == customer_id, table.c.day == day, table.c.used > 0)
        .values(used=table.c.used - 1)
    )


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@lru_cache(maxsize=2)
def _fingerprint_statement(dialect: str):
    # Built once with bind parameters: this runs for every message sent.
    table = SmsFingerprint.__table__
    statement = insert_for(dialect)(table).values(
        to_phone=bindparam("phone"),
        body_hash=bindparam("hash"),
        message_id=bindparam("message_id"),
        claimed_at=bindparam("now", type_=UTCDateTime),
    )
    return statement.on_conflict_do_update(
        index_elements=["to_phone", "body_hash"],
        set_={
            "message_id": statement.excluded.message_id,
            "claimed_at": statement.excluded.claimed_at,
        },
        # A message retried after a failure may take its own fingerprint again.
        where=or_(
            table.c.claimed_at <= bindparam("cutoff", type_=UTCDateTime),
            table.c.message_id == statement.excluded.message_id,
        ),
    ).returning(table.c.message_id)


def take_fingerprint(session: Session, message_id: int, phone: str, body: str, now) -> bool:
    """Claim this text for this number; False when another message sent it within 24 hours."""
    statement = _fingerprint_statement(session.get_bind().dialect.name)
    values = {
        "phone": phone,
        "hash": body_hash(body),
        "message_id": message_id,
        "now": now,
        "cutoff": now - REPEAT_GUARD,
    }
    return session.execute(statement, values).first() is not None


def forget_old_fingerprints(session: Session, now: datetime) -> None:
    table = SmsFingerprint.__table__
    session.execute(table.delete().where(table.c.claimed_at <= now - REPEAT_GUARD))


# China's providers count a number's messages by Beijing's day.
PROVIDER_ZONE = ZoneInfo("Asia/Shanghai")
# What counts against the number's allowance at the provider: what reached it, or may have.
HANDED_OVER = (SmsStatus.SENDING, SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.UNDELIVERED)


def provider_day(now: datetime) -> tuple[datetime, datetime]:
    """The start of the provider's day holding `now`, and of the next."""
    day = now.astimezone(PROVIDER_ZONE).date()
    start = datetime.combine(day, time(0), PROVIDER_ZONE)
    return start, datetime.combine(day + timedelta(days=1), time(0), PROVIDER_ZONE)


def numbers_used_today(
    session: Session, phones: set[str], now: datetime, exclude: set[int]
) -> dict[str, int]:
    """Messages handed to the provider today per number, besides the ones in `exclude`.

    A courtesy count, not a guarantee: the provider enforces its own limit, and what it
    refuses for it waits (it is never failed), so two senders counting at once cost one
    refused call at worst.
    """
    if not phones:
        return {}
    start, _ = provider_day(now)
    moment = func.coalesce(MESSAGES.c.sent_at, MESSAGES.c.claimed_at)
    rows = session.execute(
        select(MESSAGES.c.to_phone, func.count())
        .where(
            MESSAGES.c.to_phone.in_(phones),
            MESSAGES.c.status.in_(HANDED_OVER),
            moment >= start,
            MESSAGES.c.id.not_in(exclude),
        )
        .group_by(MESSAGES.c.to_phone)
    ).all()
    return dict(rows)
