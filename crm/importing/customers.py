"""Customers from a DMS export: keyed by the DMS id, or by the phone where there is none."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from crm.importing import values
from crm.importing.base import NEW, UNCHANGED, UPDATED, Context, Record, Writes, changes
from crm.models import BirthdayCalendar, Customer
from crm.vocabulary.phones import takes_sms

CONSENTS = ("sms_consent", "marketing_consent")
BIRTHDAY_CELL = "_birthday_cell"  # a birthday whose calendar the file leaves blank
# A consent's source says how it came to be: as the export first gave it (a customer
# imported with 否 never opted out here), or changed by a later export (the DMS records
# a withdrawal: 是 became 否). The report counts only the second as an opt-out.
IMPORT_SOURCE = "import"
IMPORT_CHANGE_SOURCE = "import_change"
IMPORT_SOURCES = (IMPORT_SOURCE, IMPORT_CHANGE_SOURCE)


class CustomerImport:
    kind = "customers"
    writes = ("customer",)  # the tables an import changes, for their statistics

    def __init__(self, session: Session, context: Context):
        self.session = session
        self.context = context
        self.table = Customer.__table__

    def prepare(self, cells: dict, warnings: list[str]) -> tuple[str, int, dict]:
        """Parse one row into (key, store id, fields); raises BadValue with the reason.

        An unreadable gender or birthday leaves that field blank with a warning in
        `warnings`: the customer, and so their cars and visits, still land.
        """
        store_id = self.context.store_id(cells.get("store"))
        name = values.text(cells.get("name"))
        if name is None:
            raise values.BadValue("missing name")
        phone = values.contact_phone(cells, self.context.phone_region, warnings)
        calendar, birthday, birthday_cell = self._birthday(cells, store_id, warnings)
        code = values.text(cells.get("customer_code"))
        fields = {
            "customer_code": code,
            "name": name,
            "phone": phone,
            "phone_sms": takes_sms(phone),
            "birthday": birthday,
            "birthday_calendar": str(calendar) if calendar else None,
            "gender": values.optional(values.gender, warnings, cells.get("gender")),
            "occupation": values.text(cells.get("occupation")),
            "hobbies": values.text(cells.get("hobbies")),
            "family_notes": values.text(cells.get("family")),
            "referred_by": values.text(cells.get("referred_by")),
            "sms_consent": values.yes_no(cells.get("sms_consent"), "sms_consent"),
            "marketing_consent": values.yes_no(cells.get("marketing_consent"), "marketing_consent"),
            "status": values.optional(values.customer_status, warnings, cells.get("status")),
            BIRTHDAY_CELL: birthday_cell,
        }
        key = f"{store_id}:code:{code}" if code else f"{store_id}:phone:{phone}"
        return key, store_id, fields

    def _birthday(self, cells: dict, store_id: int, warnings: list[str]):
        """(calendar, birthday, cell to read by the stored calendar); all None when unusable."""
        if values.text(cells.get("birthday")) is None:
            return None, None, None
        try:
            calendar = None
            if "birthday_calendar" in cells:
                calendar = values.calendar(cells["birthday_calendar"])
            leap = bool(values.yes_no(cells.get("birthday_leap_month"), "birthday_leap_month"))
            if calendar is None:
                # Read by the calendar already stored for this customer (solar when new).
                marked = values.birthday_parts(cells["birthday"])[3]
                if not (marked or leap):
                    return None, None, (cells["birthday"], leap)
                calendar = BirthdayCalendar.LUNAR  # only a lunar date has leap months
            today = self.context.today_for(store_id)
            return calendar, values.birthday(cells["birthday"], calendar, today, leap), None
        except values.BadValue as exc:
            # Neither the date nor its calendar: a lunar flag beside a stored solar date
            # would move the customer's greeting to another day.
            warnings.append(f"{exc}: stored without it")
            return None, None, None

    def apply(self, records: list[Record]) -> None:
        """Insert or update each record, in file order, with one query per store to look up."""
        writes = Writes(self.table)
        by_code: dict[tuple[int, str], dict] = {}
        by_phone: dict[tuple[int, str], list[dict]] = {}
        for store_id in {r.store_id for r in records}:
            mine = [r for r in records if r.store_id == store_id]
            codes = [r.fields["customer_code"] for r in mine if r.fields["customer_code"]]
            phones = [r.fields["phone"] for r in mine]
            # Two lookups, not one with OR: each uses its own index (SQLite would scan).
            found: dict[int, dict] = {}
            for column, keys in ((self.table.c.customer_code, codes), (self.table.c.phone, phones)):
                if keys:
                    query = select(self.table).where(
                        self.table.c.store_id == store_id, column.in_(keys)
                    )
                    found.update(
                        (row["id"], dict(row)) for row in self.session.execute(query).mappings()
                    )
            for row in found.values():
                _index(row, by_code, by_phone)
        for record in records:
            existing = _match(record, by_code, by_phone)
            if isinstance(existing, str):
                record.reject(existing)
                continue
            cell = record.fields.pop(BIRTHDAY_CELL)
            if cell is not None:
                stored = existing["birthday_calendar"] if existing else BirthdayCalendar.SOLAR
                record.fields["birthday"] = values.optional(
                    values.birthday,
                    record.warnings,
                    cell[0],
                    stored,
                    self.context.today_for(record.store_id),
                    cell[1],
                )
            if existing is None:
                row = self._new_row(record)
                writes.inserts.append(row)
                _index(row, by_code, by_phone)
                record.result = NEW
            else:
                diff = self._diff(existing, record.fields)
                if diff:
                    existing.update(diff)
                    if "customer_code" in diff:
                        by_code[(existing["store_id"], existing["customer_code"])] = existing
                    if "id" in existing:
                        writes.updates.append({"id": existing["id"], **diff})
                    record.result = UPDATED
                else:
                    record.result = UNCHANGED
        writes.flush(self.session)

    def _new_row(self, record: Record) -> dict:
        now = self.context.now
        row = {k: v for k, v in record.fields.items() if v is not None}
        row.setdefault("birthday_calendar", BirthdayCalendar.SOLAR.value)
        row.setdefault("sms_consent", True)
        row.setdefault("marketing_consent", False)
        for consent in CONSENTS:
            row[f"{consent}_at"] = now
            row[f"{consent}_source"] = IMPORT_SOURCE
        row.update(store_id=record.store_id, phone_valid=True, is_lead=False)
        row.setdefault("status", "active")
        return row

    def _diff(self, existing: dict, fields: dict) -> dict:
        diff = changes(existing, fields)
        if diff.get("status") == "active":
            # An export may mark a customer lost or deceased, never bring one back: the
            # store may have learnt it at the desk (crm customers mark … --status active).
            del diff["status"]
        if "phone" in diff:
            diff["phone_valid"] = True  # a new number gets its chance (a call flagged the old one)
        for consent in CONSENTS:
            if consent not in diff:
                continue
            # An export may withdraw consent, but never restore one the customer
            # withdrew through the store (a call, an SMS reply): that would re-subscribe them.
            source = existing.get(f"{consent}_source")
            if diff[consent] and source not in (None, *IMPORT_SOURCES):
                del diff[consent]
                continue
            diff[f"{consent}_at"] = self.context.now
            diff[f"{consent}_source"] = IMPORT_CHANGE_SOURCE
        return diff


def _index(row: dict, by_code: dict, by_phone: dict) -> None:
    if row.get("customer_code"):
        by_code[(row["store_id"], row["customer_code"])] = row
    by_phone.setdefault((row["store_id"], row["phone"]), []).append(row)


def _match(record: Record, by_code: dict, by_phone: dict) -> dict | str | None:
    """The stored customer this row describes, None for a new one, or a reason to reject."""
    code = record.fields["customer_code"]
    if code and (record.store_id, code) in by_code:
        return by_code[(record.store_id, code)]
    same_phone = by_phone.get((record.store_id, record.fields["phone"]), [])
    uncoded = [row for row in same_phone if not row.get("customer_code")]
    if code:
        # A customer first known by phone alone now arrives with its DMS id: adopt it.
        return uncoded[0] if uncoded else None
    if uncoded:
        return uncoded[0]
    if len(same_phone) == 1:
        return same_phone[0]
    if same_phone:
        return f"phone matches {len(same_phone)} customers; add customer_code to tell them apart"
    return None
