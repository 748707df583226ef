"""When the scheduler writes a store's month-end report, and when it writes one again.

Last month's report is due on the 1st once the store's clock passes
`report.scheduled_hour` (10:00 by default: after the 06:30 planning and the morning's
DMS imports, so the month's last visits are in). A written report is rewritten when
visits of its month arrive later (an export imported on the 3rd), and months that ended
before the store went live (registered with `crm init` / `crm stores add`) get none:
their callbacks were never the product's to make.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlmodel import Session

from crm.access import audit
from crm.models import AuditEvent, ServiceVisit, Store
from crm.report.periods import Month

RECHECKED_MONTHS = 12  # written reports whose month's visits are watched for late imports
WRITTEN = "report"  # the audit action that records a scheduled report written


def due_month(now: datetime, zone: ZoneInfo, hour: int) -> Month:
    """The latest month whose report is due at `now` in `zone`: last month, from `hour`
    on the 1st."""
    local = now.astimezone(zone).replace(tzinfo=None)
    return Month.of((local - timedelta(hours=hour)).date()).previous()


def went_live(store: Store, zone: ZoneInfo) -> date:
    """The store's first day in the product, its own time."""
    return store.created_at.astimezone(zone).date()


def before_go_live(month: Month, store: Store, zone: ZoneInfo) -> bool:
    """The month ended before the store went live: nothing in it was the product's doing."""
    return month.last_day < went_live(store, zone)


def written(session: Session, store_id: int) -> dict[Month, datetime]:
    """When each month's scheduled report was last written, newest months first."""
    rows = session.execute(
        select(AuditEvent.subject, func.max(AuditEvent.at))
        .where(AuditEvent.store_id == store_id, AuditEvent.action == WRITTEN)
        .group_by(AuditEvent.subject)
    ).all()
    return {Month.parse(subject): at for subject, at in rows}


def outdated(
    session: Session, store: Store, zone: ZoneInfo, reports: dict[Month, datetime], now: datetime
) -> list[Month]:
    """The written months (of the last RECHECKED_MONTHS) with a visit stored since their
    report was written: a late export changed their visits and revenue."""
    v = ServiceVisit
    recent = Month.of(now.astimezone(zone).date()).shift(-RECHECKED_MONTHS)
    stale = []
    for month, at in sorted(reports.items()):
        if month < recent:
            continue
        changed = session.execute(
            select(
                exists().where(
                    v.store_id == store.id,
                    v.updated_at > at,
                    v.visit_date >= month.first_day,
                    v.visit_date <= month.last_day,
                )
            )
        ).scalar()
        if changed:
            stale.append(month)
    return stale


def record_written(
    session: Session, store_id: int, month: Month, actor: str, at: datetime, files: list[str]
) -> None:
    """Note the report written, so visits of its month imported later can be told apart."""
    audit.record(
        session,
        store_id=store_id,
        actor=actor,
        action=WRITTEN,
        at=at,
        subject=str(month),
        detail={"files": files},
    )
    session.commit()
