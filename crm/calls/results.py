"""Recording a call's result (回访结果): every attempt kept, and what each outcome means.

Everything is checked before anything is written, so a mistake changes nothing:
an unknown or closed task, a rating outside 1-5 or for a customer not reached, a
mileage below the car's last reading (unless forced), a complaint without text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import Session

from crm.calls import claims, complaints, fallback
from crm.calls.agents import get_agent
from crm.calls.readings import check_mileage
from crm.config import Settings
from crm.db import insert_for
from crm.errors import NotFound, UsageError
from crm.followup import joined, weekly
from crm.models import (
    Agent,
    Channel,
    ContactAttempt,
    Customer,
    DoNotCall,
    FollowupTask,
    Outcome,
    Store,
    TaskStatus,
)
from crm.sms.consent import flag_invalid_number, opt_out_recorded
from crm.vocabulary import predictions
from crm.vocabulary.kinds import Kind

OUTCOMES = [str(outcome) for outcome in Outcome]
UNANSWERED = {Outcome.NO_ANSWER, Outcome.BUSY}
COMPLAINT_CALLS = {Kind.COMPLAINT_FOLLOWUP, Kind.COMPLAINT_CONFIRMATION}


@dataclass
class CallResult:
    """What the desk did with one call, for the agent's screen and scripts."""

    task_id: int
    attempt_id: int
    outcome: str
    task_status: str
    attempts: int
    next_try_on: date | None = None
    callback_at: datetime | None = None
    effects: list[str] = field(default_factory=list)
    complaint_id: int | None = None
    fallback_sms_id: int | None = None

    def as_json(self, zone: ZoneInfo) -> dict:
        return {
            "task_id": self.task_id,
            "attempt_id": self.attempt_id,
            "outcome": self.outcome,
            "task_status": self.task_status,
            "attempts": self.attempts,
            "next_try_on": self.next_try_on.isoformat() if self.next_try_on else None,
            "callback_at": self.callback_at.astimezone(zone).isoformat()
            if self.callback_at
            else None,
            "complaint_id": self.complaint_id,
            "fallback_sms_id": self.fallback_sms_id,
            "effects": self.effects,
        }


@dataclass
class CallLog:
    """One call as the agent reports it."""

    task_id: int
    outcome: str
    satisfaction: int | None = None
    mileage_km: int | None = None
    force: bool = False
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    complaint_category: str | None = None
    complaint_text: str | None = None
    callback_at: datetime | None = None
    agent_code: str | None = None
    opt_out: bool = False
    solved: bool | None = None
    user_id: int | None = None  # the console user logging it; None from the CLI
    actor: str | None = None  # who acts, for the audit trail (default: the caller's code)


def log_call(session: Session, settings: Settings, call: CallLog, now: datetime) -> CallResult:
    """Check the call, then store the attempt and act on its outcome in one transaction."""
    task = session.get(FollowupTask, call.task_id)
    if task is None or task.channel != Channel.PHONE:
        raise NotFound(
            f"no call task {call.task_id}; the day's list shows each call's number",
            field="task_id",
        )
    store = session.get(Store, task.store_id)
    zone = ZoneInfo(store.timezone)
    today = now.astimezone(zone).date()
    if task.status != TaskStatus.OPEN:
        closed = task.closed_at.astimezone(zone).date() if task.closed_at else "earlier"
        raise UsageError(
            f"task {task.id} is already {task.status} (closed {closed}); nothing logged"
        )
    if call.callback_at is not None and call.callback_at.tzinfo is None:
        call.callback_at = call.callback_at.replace(tzinfo=zone)  # store time, as agents say it
    agent = _caller(session, store, task, call.agent_code)
    customer = session.get(Customer, task.customer_id)
    _check(session, task, call, now, zone)
    held = claims.holder(session, task.id, now)
    if held and task.claimed_by != call.user_id:
        raise UsageError(
            f"task {task.id} is being called by {held.holder}; nothing logged", field="task_id"
        )

    attempt = ContactAttempt(
        task_id=task.id,
        customer_id=task.customer_id,
        agent_id=agent.id,
        attempted_at=now,
        outcome=call.outcome,
        satisfaction=call.satisfaction,
        mileage_km=call.mileage_km,
        mileage_forced=call.force and call.mileage_km is not None,
        logged_by=call.user_id,
        note=call.note,
        tags=call.tags,
        callback_at=call.callback_at,
    )
    session.add(attempt)
    session.flush()
    result = CallResult(task.id, attempt.id, call.outcome, task.status, task.attempts + 1)
    # Optimistic: the task must still be as we read it (another agent may log it too).
    changed = session.execute(
        update(FollowupTask)
        .where(
            FollowupTask.id == task.id,
            FollowupTask.status == TaskStatus.OPEN,
            FollowupTask.attempts == task.attempts,
            claims.free_for(call.user_id, now),
        )
        .values(
            attempts=FollowupTask.attempts + 1,
            claimed_by=None,  # saved: the call is free again
            claimed_until=None,
            last_attempt_at=now,
            last_outcome=call.outcome,
            agent_id=func.coalesce(FollowupTask.agent_id, agent.id),
            updated_at=now,
        )
    ).rowcount
    if changed != 1:
        session.rollback()
        raise UsageError(f"task {task.id} was logged by someone else just now; check it and retry")
    session.refresh(task)

    outcome = Outcome(call.outcome)
    if outcome == Outcome.REACHED:
        _close(task, TaskStatus.DONE, now)
        if task.kind == Kind.COMPLAINT_FOLLOWUP:
            complaints.responded(session, task.details["complaint_id"], now)
        if task.kind == Kind.COMPLAINT_CONFIRMATION:
            complaint = complaints.get_complaint(session, task.details["complaint_id"])
            complaints.confirm(session, settings, complaint, bool(call.solved), now)
            result.effects.append(
                f"complaint {complaint.id} {'closed' if call.solved else 'reopened'}"
            )
    elif outcome in UNANSWERED:
        task.unanswered += 1
        if task.unanswered >= settings.followup.max_attempts:
            _close(task, TaskStatus.UNREACHABLE, now)
            result.effects.append(f"unreachable after {task.unanswered} unanswered calls")
            if task.kind == Kind.COMPLAINT_CONFIRMATION:
                result.effects.append("the complaint stays resolved, unconfirmed")
            if task.kind in fallback.REMINDERS:
                result.fallback_sms_id = fallback.queue_fallback(
                    session, settings, store, task, customer, today, now, result.effects
                )
        else:
            task.next_try_on = today + timedelta(days=1)
            result.next_try_on = task.next_try_on
    elif outcome == Outcome.WRONG_NUMBER:
        # Wrong for everyone in this store who has it (consent.flag_invalid_number).
        flagged, cancelled = flag_invalid_number(session, customer.store_id, customer.phone, now)
        _close(task, TaskStatus.UNREACHABLE, now)
        others = sum(_close_customer_calls(session, flagged_id, now) for flagged_id in flagged)
        sharing = f" (and {len(flagged) - 1} other customer(s) with it)" if len(flagged) > 1 else ""
        result.effects.append(
            f"phone {customer.phone} flagged invalid{sharing}; {others} other call(s) closed, "
            f"{cancelled} queued SMS cancelled"
        )
    elif outcome == Outcome.DECLINED:
        _close(task, TaskStatus.CANCELLED, now)
        _do_not_call(session, customer.id, task.kind, now)
        result.effects.append(f"do-not-call recorded for {task.kind}")
    elif outcome == Outcome.CALLBACK_LATER:
        # The customer set the time: the call is due then, not overdue until then.
        day = call.callback_at.astimezone(zone).date()
        task.callback_at = call.callback_at
        task.next_try_on = max(day, task.window_start)
        task.due_date = max(task.due_date, day)
        result.callback_at = call.callback_at
        result.next_try_on = task.next_try_on
    if outcome != Outcome.CALLBACK_LATER:
        task.callback_at = None  # an arranged time is used up by the next call
    said, reminders = joined.settle_reminders(session, task, now, today)
    if reminders:
        result.effects.append(f"maintenance reminder {reminders[0]} {said}")
    cap = settings.followup.max_calls_per_customer_per_week
    waiting = weekly.hold_others(session, customer.id, task.id, now, zone, cap)
    if waiting:
        result.effects.append(
            f"{waiting} other call(s) to this customer wait: {cap} calls this week"
        )

    if call.mileage_km is not None and task.vehicle_id is not None:
        predictions.mark_stale(session, [task.vehicle_id])
        result.effects.append(f"mileage {call.mileage_km} km recorded; prediction refreshed")
    if call.complaint_category:
        complaint = complaints.open_complaint(
            session,
            settings,
            store,
            customer.id,
            call.complaint_category,
            call.complaint_text or "",
            now,
            vehicle_id=task.vehicle_id,
            agent_id=agent.id,
            attempt_id=attempt.id,
        )
        result.complaint_id = complaint.id
        result.effects.append(f"complaint {complaint.id} opened ({complaint.department})")
    if call.opt_out:
        cancelled = opt_out_recorded(session, [customer.id], "call", call.actor or agent.code, now)
        result.effects.append(f"SMS opt-out recorded; {cancelled} queued SMS cancelled")
    session.add(task)
    session.commit()
    result.task_status = task.status
    return result


def _caller(session: Session, store: Store, task: FollowupTask, code: str | None) -> Agent:
    if code:
        return get_agent(session, store, code)
    if task.agent_id is not None:
        return session.get(Agent, task.agent_id)
    raise UsageError(f"task {task.id} has no agent; say who called", field="agent")


def _check(
    session: Session, task: FollowupTask, call: CallLog, now: datetime, zone: ZoneInfo
) -> None:
    """Every rule a logged call must meet; the first broken one is the error."""
    if call.outcome not in OUTCOMES:
        raise UsageError(
            f"unknown outcome {call.outcome!r}; use one of {', '.join(OUTCOMES)}", field="outcome"
        )
    reached = call.outcome == Outcome.REACHED
    if call.satisfaction is not None:
        if not 1 <= call.satisfaction <= 5:
            raise UsageError(
                f"satisfaction {call.satisfaction} is outside 1-5 (5 = 非常满意)",
                field="satisfaction",
            )
        if not reached:
            raise UsageError(
                "satisfaction is only for a customer reached on the call", field="satisfaction"
            )
    for what, name, given in (
        ("a mileage", "mileage", call.mileage_km is not None),
        ("a complaint", "complaint", bool(call.complaint_category)),
        ("an opt-out", "opt_out", call.opt_out),
    ):
        if given and not reached:
            raise UsageError(
                f"{what} needs the outcome reached: only a customer reached can say it",
                field=name,
            )
    if call.complaint_text and not call.complaint_category:
        raise UsageError("the complaint's text needs its category", field="complaint")
    if call.complaint_category:
        complaints.check_category(call.complaint_category, field="complaint")
        if not (call.complaint_text or "").strip():
            raise UsageError(
                "a complaint needs its text: what the customer said", field="complaint_text"
            )
    if call.outcome == Outcome.DECLINED and task.kind in COMPLAINT_CALLS:
        raise UsageError(
            "a complaint's calls cannot be declined; note the customer's wish and resolve "
            "the complaint, or log the call as reached",
            field="outcome",
        )
    if call.outcome == Outcome.CALLBACK_LATER:
        if call.callback_at is None:
            raise UsageError(
                "callback_later needs the time to call back, e.g. 2026-03-12T15:00",
                field="callback_at",
            )
        if call.callback_at <= now:
            raise UsageError("the time to call back must be in the future", field="callback_at")
        if call.callback_at > now + timedelta(days=366):
            raise UsageError(
                "the time to call back is more than a year away; plan a new call instead",
                field="callback_at",
            )
    elif call.callback_at is not None:
        raise UsageError(
            "a time to call back goes with the outcome callback_later", field="callback_at"
        )
    if task.kind == Kind.COMPLAINT_CONFIRMATION and reached and call.solved is None:
        raise UsageError("say whether the customer confirms it is solved", field="solved")
    if call.solved is not None and (task.kind != Kind.COMPLAINT_CONFIRMATION or not reached):
        raise UsageError(
            "solved or not solved answers a reached complaint confirmation call", field="solved"
        )
    if call.mileage_km is not None:
        if task.vehicle_id is None:
            raise UsageError(
                f"task {task.id} is about no vehicle; mileage cannot be recorded", field="mileage"
            )
        check_mileage(session, task.vehicle_id, call.mileage_km, call.force, zone)


def _close(task: FollowupTask, status: TaskStatus, now: datetime) -> None:
    task.status = status
    task.closed_at = now
    task.next_try_on = None
    task.updated_at = now


def _close_customer_calls(session: Session, customer_id: int, now: datetime) -> int:
    """A wrong number makes every other open call to it pointless."""
    return session.execute(
        update(FollowupTask)
        .where(
            FollowupTask.customer_id == customer_id,
            FollowupTask.status == TaskStatus.OPEN,
            FollowupTask.channel == Channel.PHONE,
        )
        .values(status=TaskStatus.UNREACHABLE, closed_at=now, next_try_on=None, updated_at=now)
    ).rowcount


def _do_not_call(session: Session, customer_id: int, kind: str, now: datetime) -> None:
    session.execute(
        insert_for(session.get_bind().dialect.name)(DoNotCall)
        .values(customer_id=customer_id, kind=kind, source="call", created_at=now)
        .on_conflict_do_nothing(index_elements=["customer_id", "kind"])
    )
