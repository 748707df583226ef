"""Vehicles from a DMS export, keyed by VIN; a new owner ends the previous ownership."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlmodel import Session

from crm.clock import utcnow
from crm.importing import values
from crm.importing.base import NEW, UNCHANGED, UPDATED, Context, Record, Writes, changes
from crm.models import Customer, Vehicle, VehicleOwnership


class VehicleImport:
    kind = "vehicles"
    writes = ("vehicle", "vehicle_ownership")

    def __init__(self, session: Session, context: Context):
        self.session = session
        self.context = context
        self.table = Vehicle.__table__
        self.owners = VehicleOwnership.__table__

    def prepare(self, cells: dict, warnings: list[str]) -> tuple[str, int, dict]:
        store_id = self.context.store_id(cells.get("store"))
        vin = values.vin(cells.get("vin"))
        code = values.text(cells.get("customer_code"))
        phone = None
        if code is None:
            phone = values.contact_phone(cells, self.context.phone_region, warnings)
        model = values.text(cells.get("model"))
        if model is None:
            raise values.BadValue("missing model")
        fields = {
            "vin": vin,
            "owner_code": code,
            "owner_phone": phone,
            "model": model,
            "plate": values.plate(cells.get("plate")),
            "delivery_date": values.past_date(
                cells.get("delivery_date"), "delivery_date", self.context.today_for(store_id)
            ),
            "sales_consultant": values.text(cells.get("sales_consultant")),
        }
        return vin, store_id, fields

    def apply(self, records: list[Record]) -> None:
        owners = self._owners(records)
        vins = [r.fields["vin"] for r in records]
        stored = {
            row["vin"]: dict(row)
            for row in self.session.execute(
                select(self.table).where(self.table.c.vin.in_(vins))
            ).mappings()
        }
        writes = Writes(self.table)
        handovers: list[tuple[int, int, int]] = []  # (vehicle id, new owner id, store id)
        for record in records:
            owner = owners.get(_owner_key(record))
            if not isinstance(owner, int):
                record.reject(owner or _unknown_owner(record))
                continue
            fields = {k: v for k, v in record.fields.items() if not k.startswith("owner_")}
            fields.update(owner_id=owner, store_id=record.store_id)
            existing = stored.get(fields["vin"])
            if existing is None:
                writes.inserts.append(fields)
                stored[fields["vin"]] = fields
                record.result = NEW
                continue
            diff = changes(existing, fields)
            if not diff:
                record.result = UNCHANGED
                continue
            existing.update(diff)
            record.result = UPDATED
            if "id" in existing:
                writes.updates.append({"id": existing["id"], **diff})
                if "owner_id" in diff:
                    handovers.append((existing["id"], owner, record.store_id))
        new_rows = writes.inserts
        writes.flush(self.session)
        self._record_ownership(new_rows, handovers)

    def _owners(self, records: list[Record]) -> dict[tuple, int | str]:
        """Each row's owner id, or the reason it has none, with one query per store."""
        result: dict[tuple, int | str] = {}
        customers = Customer.__table__
        for store_id in {r.store_id for r in records}:
            mine = [r for r in records if r.store_id == store_id]
            codes = {r.fields["owner_code"] for r in mine if r.fields["owner_code"]}
            phones = {r.fields["owner_phone"] for r in mine if r.fields["owner_phone"]}
            if codes:
                for id_, code in self.session.execute(
                    select(customers.c.id, customers.c.customer_code).where(
                        customers.c.store_id == store_id, customers.c.customer_code.in_(codes)
                    )
                ):
                    result[(store_id, "code", code)] = id_
            if phones:
                matches: dict[str, list[int]] = {}
                for id_, phone in self.session.execute(
                    select(customers.c.id, customers.c.phone).where(
                        customers.c.store_id == store_id, customers.c.phone.in_(phones)
                    )
                ):
                    matches.setdefault(phone, []).append(id_)
                for phone, ids in matches.items():
                    result[(store_id, "phone", phone)] = (
                        ids[0]
                        if len(ids) == 1
                        else f"owner phone matches {len(ids)} customers; give customer_code"
                    )
        return result

    def _record_ownership(
        self, new_rows: list[dict], handovers: list[tuple[int, int, int]]
    ) -> None:
        """Start the first ownership of new vehicles; end and start one at each handover."""
        now = utcnow()  # stamped when written, as Writes does
        if new_rows:
            ids = dict(
                self.session.execute(
                    select(self.table.c.vin, self.table.c.id).where(
                        self.table.c.vin.in_([row["vin"] for row in new_rows])
                    )
                ).all()
            )
            self.session.execute(
                insert(self.owners),
                [
                    {
                        "vehicle_id": ids[row["vin"]],
                        "customer_id": row["owner_id"],
                        "started_on": row["delivery_date"],
                        "recorded_at": now,
                    }
                    for row in new_rows
                ],
            )
        for vehicle_id, owner_id, store_id in handovers:
            today = self.context.today_for(store_id)  # the handover day, in the store's time
            self.session.execute(
                update(self.owners)
                .where(self.owners.c.vehicle_id == vehicle_id, self.owners.c.ended_on.is_(None))
                .values(ended_on=today)
            )
            self.session.execute(
                insert(self.owners).values(
                    vehicle_id=vehicle_id, customer_id=owner_id, started_on=today, recorded_at=now
                )
            )


def _owner_key(record: Record) -> tuple:
    if record.fields["owner_code"]:
        return (record.store_id, "code", record.fields["owner_code"])
    return (record.store_id, "phone", record.fields["owner_phone"])


def _unknown_owner(record: Record) -> str:
    if record.fields["owner_code"]:
        return f"unknown customer_code {record.fields['owner_code']!r}; import customers first"
    return f"no customer with phone {record.fields['owner_phone']}; import customers first"
