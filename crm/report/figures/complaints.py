"""Complaints received in the month and what had become of them by its end."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.models import Complaint, ComplaintStatus
from crm.report.figures.scope import Scope, count_if, ratio
from crm.report.periods import hours_between

C = Complaint


def _resolved_by(scope: Scope):
    # A reopen clears resolved_at, so a reopened complaint is not counted as resolved.
    return scope.before_end(C.resolved_at) & C.status.in_(
        (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
    )


def complaints(scope: Scope) -> dict:
    """Received, resolved, rates and average hours, by category and by department."""
    resolved = _resolved_by(scope)
    responded = scope.before_end(C.first_response_at)
    received = (C.store_id == scope.store_id) & scope.within(C.received_at)
    row = scope.one(
        select(
            func.count(),
            count_if(resolved),
            func.avg(hours_between(scope.dialect, C.first_response_at, C.received_at)).filter(
                responded
            ),
            func.avg(hours_between(scope.dialect, C.resolved_at, C.received_at)).filter(resolved),
        ).where(received)
    )
    count, solved = int(row[0]), int(row[1])
    late_response, late_resolution = scope.one(
        select(
            count_if(_missed(scope, C.respond_by, C.first_response_at)),
            count_if(_missed(scope, C.resolve_by, C.resolved_at)),
        ).where(received)
    )
    return {
        "complaints_received": count,
        "complaints_resolved": solved,
        "resolution_rate": ratio(solved, count),
        "avg_hours_to_first_response": _hours(row[2]),
        "avg_hours_to_resolution": _hours(row[3]),
        "complaints_late_response": int(late_response),
        "complaints_late_resolution": int(late_resolution),
        "complaints_by_category": _grouped(scope, C.category, received, resolved),
        "complaints_by_department": _grouped(scope, C.department, received, resolved),
        "complaints_resolved_in_month": scope.one(
            select(func.count()).where(
                C.store_id == scope.store_id,
                scope.within(C.resolved_at),
                C.status.in_((ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)),
            )
        )[0],
        "complaints_open_at_month_end": scope.one(
            select(func.count()).where(
                C.store_id == scope.store_id, C.received_at < scope.end, ~resolved
            )
        )[0],
    }


def _missed(scope: Scope, deadline, met_at):
    """The deadline passed before it was met, or before the month ended unmet.

    Decided at the month's end, like the other complaint figures: a first response or a
    resolution after the deadline counts, so does none by the month's end once the
    deadline lay inside the month.
    """
    return (deadline < func.coalesce(met_at, scope.end)) & (deadline < scope.end)


def _grouped(scope: Scope, column, received, resolved) -> dict[str, dict]:
    rows = scope.all(
        select(column, func.count(), count_if(resolved))
        .where(received)
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return {row[0]: {"received": int(row[1]), "resolved": int(row[2])} for row in rows}


def _hours(value) -> float | None:
    return None if value is None else round(float(value), 1)
