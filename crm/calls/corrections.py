"""Correcting a logged call: the last result of a call amended, the original kept beside it.

An agent who pressed "reached" for a call nobody answered, or typed 150000 km for 15000,
amends that call's last attempt with a reason. The attempt row then holds the corrected
values, so the report and the maintenance prediction read them; `correction` keeps what
was first logged, and each amendment (who, when, why, before and after).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from crm.access.audit import record
from crm.calls.readings import check_mileage
from crm.calls.results import COMPLAINT_CALLS, UNANSWERED
from crm.errors import NotFound, UsageError
from crm.models import Channel, ContactAttempt, FollowupTask, Outcome, Store, TaskStatus
from crm.vocabulary import predictions

# The slips a correction may undo: these outcomes change only whether the call is done.
CORRECTABLE = {Outcome.REACHED, Outcome.NO_ANSWER, Outcome.BUSY}
REASON_LENGTH = 500
FIELDS = ("outcome", "satisfaction", "mileage_km", "note")


def correct_call(
    session: Session,
    task_id: int,
    *,
    reason: str,
    actor: str,
    now: datetime,
    outcome: str | None = None,
    satisfaction: int | None = None,
    mileage_km: int | None = None,
    force: bool = False,
    note: str | None = None,
) -> dict:
    """Amend the last logged result of call `task_id`; everything is checked before writing."""
    task = session.get(FollowupTask, task_id)
    if task is None or task.channel != Channel.PHONE:
        raise NotFound(f"no call task {task_id}", field="task_id")
    attempt = session.exec(
        select(ContactAttempt)
        .where(ContactAttempt.task_id == task.id)
        .order_by(ContactAttempt.attempted_at.desc(), ContactAttempt.id.desc())
        .limit(1)
    ).first()
    if attempt is None:
        raise UsageError(f"call {task_id} has no logged result to correct", field="task_id")
    reason = (reason or "").strip()
    if not reason:
        raise UsageError("say why the result is corrected, e.g. 误选已接通", field="reason")
    if len(reason) > REASON_LENGTH:
        raise UsageError(f"the reason is longer than {REASON_LENGTH} characters", field="reason")
    zone = ZoneInfo(session.get(Store, task.store_id).timezone)
    after = _corrected(session, task, attempt, outcome, satisfaction, mileage_km, force, note, zone)
    changed = {
        f: (getattr(attempt, f), after[f]) for f in FIELDS if getattr(attempt, f) != after[f]
    }
    if not changed:
        raise UsageError(
            "nothing to correct: give the right outcome, satisfaction, mileage or note",
            field="outcome",
        )
    history = dict(attempt.correction or {})
    history.setdefault("original", {f: getattr(attempt, f) for f in FIELDS})
    history["amendments"] = [
        *history.get("amendments", []),
        {
            "at": now.isoformat(),
            "by": actor,
            "reason": reason,
            "changed": {f: list(pair) for f, pair in changed.items()},
        },
    ]
    for field_name, (_before, value) in changed.items():
        setattr(attempt, field_name, value)
    attempt.correction, attempt.corrected_at = history, now
    session.add(attempt)
    effect = (
        _follow_outcome(task, changed.get("outcome"), now, zone) if "outcome" in changed else ""
    )
    if "mileage_km" in changed and task.vehicle_id is not None:
        predictions.mark_stale(session, [task.vehicle_id])
    record(
        session,
        store_id=task.store_id,
        actor=actor,
        action="call_correction",
        at=now,
        customer_id=task.customer_id,
        subject=f"call {task.id}",
        detail={
            "attempt_id": attempt.id,
            "reason": reason,
            "changed": history["amendments"][-1]["changed"],
        },
    )
    session.commit()
    return {
        "task_id": task.id,
        "attempt_id": attempt.id,
        "changed": sorted(changed),
        "task_status": task.status,
        "effect": effect,
    }


def _corrected(session, task, attempt, outcome, satisfaction, mileage_km, force, note, zone):
    """The attempt's values after the correction, or the first rule it breaks."""
    new_outcome = outcome or attempt.outcome
    if new_outcome != attempt.outcome:
        if attempt.outcome not in CORRECTABLE or new_outcome not in CORRECTABLE:
            raise UsageError(
                "only reached, no_answer and busy can be corrected into each other; "
                "a wrong number, a refusal or a callback time is logged as a new call",
                field="outcome",
            )
        if task.kind in COMPLAINT_CALLS:
            raise UsageError(
                "a complaint call's outcome cannot be corrected; log the next call instead",
                field="outcome",
            )
    reached = new_outcome == Outcome.REACHED
    after = {
        "outcome": new_outcome,
        "satisfaction": attempt.satisfaction if reached else None,
        "mileage_km": attempt.mileage_km if reached else None,
        "note": attempt.note if note is None else (note.strip() or None),
    }
    if satisfaction is not None:
        if not reached:
            raise UsageError("satisfaction is only for a customer reached", field="satisfaction")
        if not 1 <= satisfaction <= 5:
            raise UsageError(f"satisfaction {satisfaction} is outside 1-5", field="satisfaction")
        after["satisfaction"] = satisfaction
    if mileage_km is not None:
        if not reached or task.vehicle_id is None:
            raise UsageError("a mileage goes with a reached call about a car", field="mileage")
        # The reading being corrected is no evidence against its own correction.
        check_mileage(session, task.vehicle_id, mileage_km, force, zone, but=attempt.id)
        after["mileage_km"] = mileage_km
    return after


def _follow_outcome(task: FollowupTask, change: tuple, now: datetime, zone: ZoneInfo) -> str:
    """Undo what the wrong outcome did to the call: reopen it, or close it as done."""
    before, after = change
    task.last_outcome, task.updated_at = after, now
    if after == Outcome.REACHED:
        task.unanswered = max(task.unanswered - 1, 0)
        if task.status in (TaskStatus.OPEN, TaskStatus.UNREACHABLE):
            task.status, task.closed_at, task.next_try_on = TaskStatus.DONE, now, None
            return "the call is done"
        return ""
    if before == Outcome.REACHED:
        task.unanswered += 1
    if Outcome(before) not in UNANSWERED and task.status == TaskStatus.DONE:
        task.status, task.closed_at = TaskStatus.OPEN, None
        task.next_try_on = now.astimezone(zone).date() + timedelta(days=1)
        return f"the call is open again, back on the list on {task.next_try_on}"
    return ""
