"""Inbound calls (咨询电话): who called about what; an unknown number becomes a lead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from crm.errors import UsageError
from crm.models import Agent, Customer, Inquiry, InquiryTopic, Store
from crm.vocabulary.phones import BadValue, parse_phone

TOPICS = [str(topic) for topic in InquiryTopic]


# What a lead who gave no name is called, by the store's locale.
UNNAMED = {"zh_CN": "未留名客户", "en": "Unnamed caller"}


def log_inquiry(
    session: Session,
    store: Store,
    region: str,
    raw_phone: str,
    topic: str,
    now: datetime,
    *,
    name: str | None = None,
    note: str | None = None,
    agent: Agent | None = None,
    locale: str = "zh_CN",
) -> dict:
    """Record an inbound call; a number the store does not know becomes a lead (潜在客户).

    A lead who left no name is called "未留名客户" on every list, not by their number.
    """
    if topic not in TOPICS:
        raise UsageError(f"unknown topic {topic!r}; use one of {', '.join(TOPICS)}", field="topic")
    try:
        phone = parse_phone(raw_phone, region)
    except BadValue as exc:
        raise UsageError(
            f"{exc}; give the caller's number, e.g. 13812345678", field="phone"
        ) from None
    customer = session.exec(
        select(Customer)
        .where(Customer.store_id == store.id, Customer.phone == phone)
        .order_by(Customer.is_lead, Customer.id)
    ).first()
    new_lead = customer is None
    if new_lead:
        # A lead has agreed to nothing yet: no SMS until a sale or their consent.
        customer = Customer(
            store_id=store.id,
            name=(name or "").strip() or UNNAMED[locale],
            phone=phone,
            is_lead=True,
            sms_consent=False,
            marketing_consent=False,
            created_at=now,
            updated_at=now,
        )
        session.add(customer)
        session.flush()
    inquiry = Inquiry(
        store_id=store.id,
        customer_id=customer.id,
        agent_id=agent.id if agent else None,
        phone=phone,
        name=(name or "").strip() or None,
        topic=topic,
        note=note,
        new_lead=new_lead,
        received_at=now,
    )
    session.add(inquiry)
    session.commit()
    return {
        "inquiry_id": inquiry.id,
        "customer_id": customer.id,
        "customer": customer.name,
        "phone": phone,
        "topic": topic,
        "new_lead": new_lead,
        "is_lead": customer.is_lead,
    }


def list_inquiries(
    session: Session, store: Store, since: date, until: date, topic: str | None = None
) -> list[dict]:
    """Inbound calls received between `since` and `until` (store-local days, inclusive)."""
    zone = ZoneInfo(store.timezone)
    start = datetime.combine(since, time(0), zone)
    end = datetime.combine(until + timedelta(days=1), time(0), zone)
    query = (
        select(Inquiry, Customer.name, Agent.code)
        .outerjoin(Customer, Customer.id == Inquiry.customer_id)
        .outerjoin(Agent, Agent.id == Inquiry.agent_id)
        .where(
            Inquiry.store_id == store.id, Inquiry.received_at >= start, Inquiry.received_at < end
        )
        .order_by(Inquiry.received_at, Inquiry.id)
    )
    if topic:
        if topic not in TOPICS:
            raise UsageError(
                f"unknown topic {topic!r}; use one of {', '.join(TOPICS)}", field="topic"
            )
        query = query.where(Inquiry.topic == topic)
    return [
        {
            "inquiry_id": inquiry.id,
            "received_at": inquiry.received_at.astimezone(zone).isoformat(timespec="minutes"),
            "phone": inquiry.phone,
            "customer": customer_name,
            "customer_id": inquiry.customer_id,
            "topic": inquiry.topic,
            "new_lead": inquiry.new_lead,
            "agent": agent_code,
            "note": inquiry.note,
        }
        for inquiry, customer_name, agent_code in session.execute(query)
    ]
