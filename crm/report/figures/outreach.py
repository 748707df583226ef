"""SMS sent and delivered, opt-outs, inbound inquiries, leads and referrals."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from crm.importing.customers import IMPORT_SOURCE
from crm.models import Customer, Inquiry, InquiryTopic, SmsMessage, SmsStatus
from crm.report.figures.scope import Scope, count_if, ratio

M = SmsMessage
FAILED = (SmsStatus.FAILED, SmsStatus.UNDELIVERED)
# The console sender prints a message and names it console-<id>: it can never report
# delivery, so its messages are no part of a delivery rate (无数据 rather than 0%).
CONSOLE_SIDS = "console-%"


def messages(scope: Scope) -> dict:
    """Messages sent, delivered and failed in the month, by kind."""
    sent = scope.within(M.sent_at)
    reportable = sent & ~func.coalesce(M.provider_sid, "").like(CONSOLE_SIDS)
    # A message the provider refused outright never got a sent_at: it failed when updated.
    failed = M.status.in_(FAILED) & scope.within(func.coalesce(M.sent_at, M.updated_at))
    rows = scope.all(
        select(
            M.kind,
            count_if(sent),
            count_if(sent & (M.status == SmsStatus.DELIVERED)),
            count_if(failed),
            func.sum(M.segments).filter(sent),
            func.sum(M.price).filter(sent),
            count_if(reportable),
        )
        .where(
            M.store_id == scope.store_id,
            or_(sent, M.status.in_(FAILED) & scope.within(M.updated_at)),
        )
        .group_by(M.kind)
        .order_by(M.kind)
    )
    by_kind = {
        row[0]: {
            "sent": int(row[1]),
            "delivered": int(row[2]),
            "failed": int(row[3]),
            "segments": int(row[4] or 0),
            "reportable": int(row[6]),
        }
        for row in rows
    }
    total = {
        key: sum(k[key] for k in by_kind.values())
        for key in ("sent", "delivered", "failed", "reportable")
    }
    prices = [float(row[5]) for row in rows if row[5] is not None]
    return {
        "sms_sent": total["sent"],
        "sms_delivered": total["delivered"],
        "sms_failed": total["failed"],
        "delivery_rate": ratio(total["delivered"], total["reportable"]),
        "sms_segments": sum(k["segments"] for k in by_kind.values()),
        "sms_cost": round(abs(sum(prices)), 4) if prices else None,
        "sms_by_kind": by_kind,
    }


def customers(scope: Scope) -> dict:
    """Opt-outs and referrals among the store's customers, and the month's inquiries."""
    c = Customer
    opt_outs, referrals = scope.one(
        select(
            count_if(
                c.sms_consent.is_(False)
                & scope.within(c.sms_consent_at)
                # Imported with 否 is how the customer came, not a withdrawal; an export
                # turning 是 into 否 is one (import_change), as are the store's own routes.
                & (func.coalesce(c.sms_consent_source, "") != IMPORT_SOURCE)
            ),
            count_if(
                c.referred_by.is_not(None)
                & (func.trim(c.referred_by) != "")
                & scope.within(c.created_at)
            ),
        ).where(
            c.store_id == scope.store_id,
            or_(scope.within(c.sms_consent_at), scope.within(c.created_at)),
        )
    )
    rows = scope.all(
        select(Inquiry.topic, func.count(), count_if(Inquiry.new_lead.is_(True)))
        .where(Inquiry.store_id == scope.store_id, scope.within(Inquiry.received_at))
        .group_by(Inquiry.topic)
    )
    topics = {row[0]: int(row[1]) for row in rows}
    return {
        "opt_outs": int(opt_outs),
        "referrals": int(referrals),
        "inquiries": sum(topics.values()),
        "inquiries_by_topic": {t.value: topics.get(t, 0) for t in InquiryTopic}
        | {t: n for t, n in topics.items() if t not in set(InquiryTopic)},
        "leads": sum(int(row[2]) for row in rows),
    }
