"""Service visits (repair orders) from a DMS export; never invents a vehicle."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from crm.importing import values
from crm.importing.base import NEW, UNCHANGED, UPDATED, Context, Record, Writes, changes
from crm.models import ServiceType, ServiceVisit, Vehicle
from crm.vocabulary.predictions import mark_stale


class VisitImport:
    kind = "visits"
    writes = ("service_visit", "vehicle")  # a visit marks its car's prediction stale

    def __init__(self, session: Session, context: Context):
        self.session = session
        self.context = context
        self.table = ServiceVisit.__table__

    def prepare(self, cells: dict, warnings: list[str]) -> tuple[str, int, dict]:
        store_id = self.context.store_id(cells.get("store"))
        ro_number = values.text(cells.get("ro_number"))
        if ro_number is None:
            raise values.BadValue("missing ro_number")
        fields = {
            "ro_number": ro_number,
            "vin": values.vin(cells.get("vin")),
            "visit_date": values.past_date(
                cells.get("visit_date"), "visit_date", self.context.today_for(store_id)
            ),
            "odometer_km": values.kilometres(cells.get("odometer_km")),
            "service_type": _service_type(cells.get("service_type"), warnings),
            "service_advisor": values.text(cells.get("service_advisor")),
            "revenue_cents": values.money_cents(cells.get("revenue")),
        }
        return f"{store_id}:{ro_number}", store_id, fields

    def apply(self, records: list[Record]) -> None:
        vehicles = Vehicle.__table__
        known = {
            vin: (id_, owner)
            for vin, id_, owner in self.session.execute(
                select(vehicles.c.vin, vehicles.c.id, vehicles.c.owner_id).where(
                    vehicles.c.vin.in_({r.fields["vin"] for r in records})
                )
            )
        }
        vehicle_ids = [id_ for id_, _owner in known.values()]
        stored: dict[tuple[int, str], dict] = {}
        readings: dict[int, list[dict]] = {}  # vehicle id -> its visits, stored and pending
        for row in self.session.execute(
            select(self.table).where(self.table.c.vehicle_id.in_(vehicle_ids))
        ).mappings():
            row = dict(row)
            readings.setdefault(row["vehicle_id"], []).append(row)
            stored[(row["store_id"], row["ro_number"])] = row
        for row in self._by_ro_number(records):
            stored.setdefault((row["store_id"], row["ro_number"]), row)
        writes = Writes(self.table)
        touched: set[int] = set()  # cars whose maintenance prediction rests on these visits
        for record in records:
            vin = record.fields["vin"]
            if vin not in known:
                record.reject(f"unknown VIN {vin}; import the vehicle first")
                continue
            vehicle_id, owner_id = known[vin]
            fields = {k: v for k, v in record.fields.items() if k != "vin"}
            fields.update(vehicle_id=vehicle_id, store_id=record.store_id)
            existing = stored.get((record.store_id, fields["ro_number"]))
            problem = _odometer_problem(fields, readings.get(vehicle_id, []), existing)
            if problem:
                record.reject(problem)
                continue
            if existing is None:
                fields["customer_id"] = owner_id
                writes.inserts.append(fields)
                stored[(record.store_id, fields["ro_number"])] = fields
                readings.setdefault(vehicle_id, []).append(fields)
                touched.add(vehicle_id)
                record.result = NEW
                continue
            diff = changes(existing, fields)
            if not diff:
                record.result = UNCHANGED
                continue
            if "vehicle_id" in diff:
                # The visit leaves its old car: its reading must no longer judge that car's
                # other visits, or this file's later rows are judged by a reading a second
                # import no longer sees, and the same file twice changes data.
                moved_from = existing["vehicle_id"]
                readings[moved_from] = [
                    r for r in readings.get(moved_from, []) if r is not existing
                ]
                diff["customer_id"] = owner_id
                readings.setdefault(vehicle_id, []).append(existing)
            touched |= {existing["vehicle_id"], vehicle_id}
            existing.update(diff)
            record.result = UPDATED
            if "id" in existing:
                writes.updates.append({"id": existing["id"], **diff})
        writes.flush(self.session)
        mark_stale(self.session, touched)

    def _by_ro_number(self, records: list[Record]):
        """Stored visits sharing a repair-order number with the batch (its VIN may be corrected)."""
        for store_id in {r.store_id for r in records}:
            numbers = [r.fields["ro_number"] for r in records if r.store_id == store_id]
            yield from (
                dict(row)
                for row in self.session.execute(
                    select(self.table).where(
                        self.table.c.store_id == store_id, self.table.c.ro_number.in_(numbers)
                    )
                ).mappings()
            )


def _service_type(cell, warnings: list[str]) -> str:
    """The visit's kind; one no list knows lands as `other` with a warning, never rejected:
    the visit's date and odometer still shape the car's maintenance prediction."""
    try:
        return values.service_type(cell)
    except values.BadValue as exc:
        found = values.text(cell)
        warnings.append(
            f"unknown service type {found!r}: stored as other"
            if found
            else f"{exc}: stored as other"
        )
        return str(ServiceType.OTHER)


def _odometer_problem(visit: dict, others: list[dict], itself: dict | None) -> str | None:
    """Why this reading contradicts the car's other visits: km only grow with time."""
    day, km = visit["visit_date"], visit["odometer_km"]
    for other in others:
        if other is itself:
            continue
        if other["visit_date"] < day and other["odometer_km"] > km:
            return (
                f"odometer {km} km is lower than {other['odometer_km']} km at the earlier "
                f"visit {other['ro_number']} on {other['visit_date'].isoformat()}"
            )
        if other["visit_date"] > day and other["odometer_km"] < km:
            return (
                f"odometer {km} km is higher than {other['odometer_km']} km at the later "
                f"visit {other['ro_number']} on {other['visit_date'].isoformat()}"
            )
    return None
