"""Calls made and reached, callbacks due and on time, satisfaction, per agent and by day."""

from __future__ import annotations

from sqlalchemy import bindparam, case, exists, func, select, text

from crm.models import (
    Agent,
    Channel,
    Complaint,
    ContactAttempt,
    Customer,
    FollowupTask,
    Outcome,
    TaskStatus,
)
from crm.models.base import UTCDateTime
from crm.report.definitions import CALLBACK_KINDS, SATISFIED_FROM, TOP_ISSUES
from crm.report.figures.scope import Scope, count_if, ratio

A = ContactAttempt
REACHED = A.outcome == Outcome.REACHED
RATED = REACHED & A.satisfaction.is_not(None)
SATISFIED = RATED & (A.satisfaction >= SATISFIED_FROM)


def _call_columns():
    return (
        func.count().label("calls"),
        count_if(REACHED).label("reached"),
        count_if(RATED).label("rated"),
        count_if(SATISFIED).label("satisfied"),
        # The scores of rated calls only, as counted in `rated`: a score logged on a
        # call that did not reach the customer would push the average past 5.
        func.coalesce(func.sum(case((RATED, A.satisfaction))), 0).label("score_sum"),
    )


def _attempts(scope: Scope, *columns):
    # Attempts carry no store: their customer does.
    return (
        select(*columns)
        .select_from(A)
        .join(Customer, Customer.id == A.customer_id)
        .where(Customer.store_id == scope.store_id)
    )


def _call_figures(row) -> dict:
    calls, reached, rated, satisfied, score_sum = (int(v) for v in row)
    return {
        "calls": calls,
        "reached": reached,
        "reach_rate": ratio(reached, calls),
        "rated": rated,
        "satisfaction_rate": ratio(satisfied, rated),
        "satisfaction_avg": ratio(score_sum, rated),
    }


def calls(scope: Scope) -> dict:
    """The month's calls: totals and the series by store-local day."""
    day = scope.local.date(A.attempted_at).label("day")
    rows = scope.all(
        _attempts(scope, day, *_call_columns()).where(scope.within(A.attempted_at)).group_by(day)
    )
    by_day = {str(row.day): _call_figures(row[1:]) for row in rows}
    # People, not ratings: one customer rated on two calls is one customer who rated.
    raters = scope.one(
        _attempts(scope, func.count(func.distinct(A.customer_id))).where(
            scope.within(A.attempted_at), RATED
        )
    )[0]
    totals = [sum(int(row[i]) for row in rows) for i in range(1, 6)]
    month = _call_figures(totals)
    series = []
    for d in scope.month.days():
        figures = by_day.get(d.isoformat(), _call_figures((0, 0, 0, 0, 0)))
        series.append(
            {
                "date": d.isoformat(),
                "calls": figures["calls"],
                "reached": figures["reached"],
                "reach_rate": figures["reach_rate"],
            }
        )
    return {
        "calls_made": month["calls"],
        "calls_reached": month["reached"],
        "reach_rate": month["reach_rate"],
        "satisfaction_rated": month["rated"],
        "satisfaction_customers": int(raters),
        "satisfaction_rate": month["satisfaction_rate"],
        "satisfaction_avg": month["satisfaction_avg"],
        "calls_by_day": series,
    }


def month_calls(scope: Scope) -> dict:
    """The month's call totals alone, without the series by day (the dashboard's)."""
    row = scope.one(_attempts(scope, *_call_columns()).where(scope.within(A.attempted_at)))
    return _call_figures(row)


def satisfaction_trend(scope: Scope) -> list[dict]:
    """Satisfaction of each of the twelve months ending with this one."""
    month = scope.local.month(A.attempted_at).label("month")
    rows = scope.all(
        _attempts(scope, month, count_if(RATED), count_if(SATISFIED))
        .where(A.attempted_at >= scope.trend_start, A.attempted_at < scope.end, RATED)
        .group_by(month)
    )
    found = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    trend = []
    for n in range(11, -1, -1):
        label = str(scope.month.shift(-n))
        rated, satisfied = found.get(label, (0, 0))
        trend.append({"month": label, "rated": rated, "satisfaction_rate": ratio(satisfied, rated)})
    return trend


NOT_DONE_REASONS = ("unreachable", "wrong_number", "open")


def callbacks(scope: Scope) -> dict:
    """Callbacks due in the month: on time, late, or not done, and why not.

    due = on time + late + not done (+ open ones not yet due, in a month not yet over).
    """
    t = FollowupTask
    closed_day = scope.local.date(t.closed_at)
    done = (t.status == TaskStatus.DONE) & t.closed_at.is_not(None)
    on_time = done & (closed_day <= t.due_date)
    late = done & (closed_day > t.due_date)
    unreachable = t.status == TaskStatus.UNREACHABLE
    wrong_number = unreachable & exists().where(
        A.task_id == t.id, A.outcome == Outcome.WRONG_NUMBER
    )
    still_open = (t.status == TaskStatus.OPEN) & (t.due_date < scope.as_of)
    rows = scope.all(
        select(
            t.kind,
            func.count(),
            count_if(on_time),
            count_if(late),
            count_if(unreachable & ~wrong_number),
            count_if(wrong_number),
            count_if(still_open),
        )
        .where(
            t.store_id == scope.store_id,
            t.channel == Channel.PHONE,
            t.kind.in_(CALLBACK_KINDS),
            t.status != TaskStatus.CANCELLED,
            scope.on_days(t.due_date),
        )
        .group_by(t.kind)
    )
    found = {row[0]: [int(v) for v in row[1:]] for row in rows}
    by_kind = []
    reasons = dict.fromkeys(NOT_DONE_REASONS, 0)
    for kind in CALLBACK_KINDS:
        due, in_time, after, *why = found.get(kind, (0, 0, 0, 0, 0, 0))
        for reason, n in zip(NOT_DONE_REASONS, why, strict=True):
            reasons[reason] += n
        by_kind.append(
            {
                "kind": kind,
                "due": due,
                "on_time": in_time,
                "late": after,
                "not_done": sum(why),
                "overdue": after + sum(why),
                "on_time_rate": ratio(in_time, due),
            }
        )

    def total(key: str) -> int:
        return sum(k[key] for k in by_kind)

    return {
        "callbacks_due": total("due"),
        "callbacks_on_time": total("on_time"),
        "callbacks_late": total("late"),
        "callbacks_not_done": total("not_done"),
        "callbacks_overdue": total("overdue"),
        "callback_on_time_rate": ratio(total("on_time"), total("due")),
        "callbacks_not_done_by_reason": reasons,
        "callbacks_by_kind": by_kind,
    }


def per_agent(scope: Scope) -> list[dict]:
    """Each agent's calls, reach, satisfaction and complaints handled in the month."""
    calls_rows = scope.all(
        _attempts(scope, A.agent_id, *_call_columns())
        .where(scope.within(A.attempted_at), A.agent_id.is_not(None))
        .group_by(A.agent_id)
    )
    complaint_rows = scope.all(
        select(Complaint.agent_id, func.count())
        .where(
            Complaint.store_id == scope.store_id,
            scope.within(Complaint.received_at),
            Complaint.agent_id.is_not(None),
        )
        .group_by(Complaint.agent_id)
    )
    made = {row[0]: _call_figures(row[1:]) for row in calls_rows}
    handled = {row[0]: int(row[1]) for row in complaint_rows}
    agents = scope.all(
        select(Agent.id, Agent.code, Agent.name, Agent.active).where(
            Agent.store_id == scope.store_id
        )
    )
    rows = []
    for agent_id, code, name, active in agents:
        if not active and agent_id not in made and agent_id not in handled:
            continue
        figures = made.get(agent_id, _call_figures((0, 0, 0, 0, 0)))
        rows.append(
            {
                "agent": code,
                "name": name,
                "calls": figures["calls"],
                "reached": figures["reached"],
                "reach_rate": figures["reach_rate"],
                "rated": figures["rated"],
                "satisfaction_rate": figures["satisfaction_rate"],
                "satisfaction_avg": figures["satisfaction_avg"],
                "complaints_handled": handled.get(agent_id, 0),
            }
        )
    rows.sort(key=lambda r: (-r["calls"], -r["complaints_handled"], r["agent"]))
    return rows


TAGS_SQL = {
    "sqlite": """
        SELECT tag.value AS issue, COUNT(*) AS n
        FROM contact_attempt AS a
        JOIN customer AS c ON c.id = a.customer_id
        JOIN json_each(a.tags) AS tag
        WHERE c.store_id = :store AND a.outcome = 'reached'
          AND a.attempted_at >= :start AND a.attempted_at < :end
          AND json_valid(a.tags) AND json_type(a.tags) = 'array'
        GROUP BY tag.value ORDER BY n DESC, issue LIMIT :top
    """,
    "postgresql": """
        SELECT tag AS issue, COUNT(*) AS n
        FROM contact_attempt AS a
        JOIN customer AS c ON c.id = a.customer_id
        CROSS JOIN LATERAL json_array_elements_text(a.tags) AS tag
        WHERE c.store_id = :store AND a.outcome = 'reached'
          AND a.attempted_at >= :start AND a.attempted_at < :end
          AND json_typeof(a.tags) = 'array'
        GROUP BY tag ORDER BY n DESC, issue LIMIT :top
    """,
}


def top_issues(scope: Scope) -> list[dict]:
    """The tags agents recorded most often on reached calls (e.g. 等待维修时间过长)."""
    statement = text(TAGS_SQL[scope.dialect]).bindparams(
        bindparam("start", scope.start, type_=UTCDateTime),
        bindparam("end", scope.end, type_=UTCDateTime),
        store=scope.store_id,
        top=TOP_ISSUES,
    )
    return [{"issue": str(row[0]), "count": int(row[1])} for row in scope.all(statement)]
