"""Marking a car's cached maintenance prediction stale, for whoever learns a new reading.

An imported visit and a mileage reported on a call both change what the prediction
rests on; planning (crm.followup.maintenance.refresh) recomputes only the cars marked here.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from crm.models import Vehicle


def mark_stale(session: Session, vehicle_ids) -> None:
    """A new visit or reading: recompute these cars' predictions at the next planning."""
    ids = list(vehicle_ids)
    if ids:
        session.execute(
            update(Vehicle.__table__)
            .where(Vehicle.__table__.c.id.in_(ids))
            .values(maintenance_predicted_at=None)
        )
