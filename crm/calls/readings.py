"""Odometer readings at the desk: the car's highest known one, and whether a new one holds."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from crm.errors import UsageError
from crm.models import ContactAttempt, FollowupTask, ServiceVisit


def check_mileage(
    session: Session, vehicle_id: int, km: int, force: bool, zone: ZoneInfo, but=None
) -> None:
    """A reported odometer must be plausible and not below the car's last reading (unless
    forced); `but`, an attempt whose own reading is the one being replaced."""
    if km < 0 or km > 2_000_000:
        raise UsageError(f"mileage {km} km is not a plausible odometer reading", field="mileage")
    last, where = last_reading(session, vehicle_id, zone, but)
    if last is not None and km < last and not force:
        raise UsageError(
            f"mileage {km} km is below the last reading {last} km ({where}); "
            "check it, or accept it if the odometer really reads that",
            field="mileage",
            override="force",
        )


def last_reading(
    session: Session, vehicle_id: int, zone: ZoneInfo, but: int | None = None
) -> tuple[int | None, str]:
    """The car's highest known odometer reading and where it came from (leaving out the
    reading of attempt `but`)."""
    visit = session.execute(
        select(ServiceVisit.odometer_km, ServiceVisit.visit_date)
        .where(ServiceVisit.vehicle_id == vehicle_id)
        .order_by(ServiceVisit.odometer_km.desc())
        .limit(1)
    ).first()
    call = session.execute(
        select(ContactAttempt.mileage_km, ContactAttempt.attempted_at)
        .join(FollowupTask, FollowupTask.id == ContactAttempt.task_id)
        .where(
            FollowupTask.vehicle_id == vehicle_id,
            ContactAttempt.mileage_km.is_not(None),
            ContactAttempt.id != (but or 0),
        )
        .order_by(ContactAttempt.mileage_km.desc())
        .limit(1)
    ).first()
    best, where = None, ""
    if visit is not None:
        best, where = visit[0], f"visit on {visit[1]}"
    if call is not None and (best is None or call[0] > best):
        best, where = call[0], f"reported on a call on {call[1].astimezone(zone).date()}"
    return best, where
