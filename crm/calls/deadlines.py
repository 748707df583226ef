"""Which of a complaint's deadlines were missed, whatever became of it since.

`overdue` (crm.calls.complaints) is about now: an open complaint past a deadline. This
is its history: a closed complaint first answered two days late still missed its
response deadline, and lists and reports keep saying so.
"""

from __future__ import annotations

from datetime import datetime

from crm.models import Complaint


def missed_deadlines(complaint: Complaint, now: datetime) -> list[str]:
    """ "late response" / "no response" and "late resolution" / "not resolved", as missed."""
    missed = []
    if _past(complaint.respond_by, complaint.first_response_at, now):
        missed.append("late response" if complaint.first_response_at else "no response")
    if _past(complaint.resolve_by, complaint.resolved_at, now):
        missed.append("late resolution" if complaint.resolved_at else "not resolved")
    return missed


def _past(deadline: datetime | None, met_at: datetime | None, now: datetime) -> bool:
    return deadline is not None and deadline < (met_at or now)
