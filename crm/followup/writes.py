"""Landing owed contacts: who may get each one, then an exactly-once insert of what is new."""

from __future__ import annotations

from datetime import date, timedelta
from operator import attrgetter

from sqlalchemy import Table
from sqlmodel import Session, select

from crm.bulk import insert_ignoring
from crm.db import one_of, read
from crm.followup import rules, weekly
from crm.followup.joined import join_reminders, mark_callback, mark_stored_callbacks
from crm.models import (
    Channel,
    Customer,
    CustomerStatus,
    DoNotCall,
    FollowupTask,
    SmsMessage,
    Vehicle,
)
from crm.sms import eligibility, templates
from crm.vocabulary.calendars import HOLIDAYS
from crm.vocabulary.kinds import GREETINGS, Kind

KEY = ("kind", "subject", "cycle")


def insert_new(session: Session, table: Table, rows: list[dict], *also: str) -> list:
    """Insert the rows whose (kind, subject, cycle) is new; return the kinds inserted
    (with `also`, tuples of the kind and those columns).

    ON CONFLICT DO NOTHING makes a second planner, or a second run, a no-op even when
    both insert at once; RETURNING reports only the rows this call created.
    """
    return insert_ignoring(session, table, rows, list(KEY), ["kind", *also])


class ContactWriter:
    """Decides who gets each owed contact, then inserts what is new."""

    def __init__(self, session, store, settings, day: date, zone, now, result, calls=None):
        """`result` has `created` and `skipped` counters the writer adds to; `calls`
        (`crm.calls.assignment.NewCalls`) gives new calls their agents, or they have none."""
        self.session, self.store, self.settings = session, store, settings
        self.calls = calls
        self.day, self.zone, self.now, self.result = day, zone, now, result
        self.locale = settings.store.locale
        self.greet_from = day - timedelta(days=1)  # a greeting for a day before it is late
        self.stale = day - timedelta(days=settings.sms.stale_after_days)

    def write(self, batch: list[rules.Occurrence]) -> None:
        customers = self._customers({o.customer_id for o in batch})
        blocked = self._do_not_call({o.customer_id for o in batch})
        vehicles = self._vehicles(
            {o.vehicle_id for o in batch if o.vehicle_id and o.channel == Channel.SMS}
        )
        tasks, messages = [], []
        for occurrence in sorted(batch, key=attrgetter(*KEY)):
            customer = customers.get(occurrence.customer_id)
            phone = occurrence.channel == Channel.PHONE
            reason = self._skip_reason(occurrence, phone, customer, blocked)
            if reason:
                self.result.skipped[reason] += 1
                continue
            if phone:
                tasks.append(self._task(occurrence))
            else:
                messages.append(self._message(occurrence, customer, vehicles))
        joined = join_reminders(self.session, tasks)
        if tasks:
            cap = self.settings.followup.max_calls_per_customer_per_week
            called = {t["customer_id"] for t in tasks}
            weekly.hold_new(tasks, weekly.free_on(self.session, called, self.now, self.zone, cap))
        for reminder, callback in joined:
            if isinstance(callback, dict):  # planned in this batch: it says it from the start
                mark_callback(callback, reminder)
        reminders = [reminder for reminder, _callback in joined]
        if self.calls is not None:
            self.calls.give(tasks + reminders)  # in the order of the ids they will get
        agents = []
        for kind, agent_id in insert_new(self.session, FollowupTask.__table__, tasks, "agent_id"):
            self.result.created[kind] += 1
            agents.append(agent_id)
        # After the batch's calls, in one insert of their own; a stored callback says the
        # reminder only when it is new, so a re-plan marks no unrelated callback.
        new = {
            (subject, cycle): agent_id
            for _kind, subject, cycle, agent_id in insert_new(
                self.session, FollowupTask.__table__, reminders, "subject", "cycle", "agent_id"
            )
        }
        stored = []
        for reminder, callback in joined:
            if (reminder["subject"], reminder["cycle"]) in new:
                self.result.created[reminder["kind"]] += 1
                agents.append(new[reminder["subject"], reminder["cycle"]])
                if not isinstance(callback, dict):
                    stored.append((reminder, callback))
        mark_stored_callbacks(self.session, stored)
        if self.calls is not None:
            self.calls.kept(tasks + reminders, agents)
        for kind in insert_new(self.session, SmsMessage.__table__, messages):
            self.result.created[kind] += 1

    def _skip_reason(self, occurrence, phone: bool, customer, blocked) -> str | None:
        if phone:
            if customer is None or customer.status != CustomerStatus.ACTIVE:
                return "customer_lost_or_deceased"
            if not customer.phone_valid:
                return "invalid_phone"  # a call proved the number wrong: nobody to call
            if occurrence.kind == Kind.CAMPAIGN_CALL and customer.in_complaint:
                return "open_complaint"  # no sales pitch while a complaint is unsettled
            return "do_not_call" if (customer.id, occurrence.kind) in blocked else None
        refused = eligibility.refusal(customer, templates.category(occurrence.kind))
        if refused is eligibility.LOST:
            return refused.reason
        if occurrence.kind in GREETINGS and occurrence.window_start < self.greet_from:
            return "greeting_too_late"
        if occurrence.kind == Kind.FIRST_SERVICE_SMS and occurrence.window_start < self.stale:
            return "service_sms_stale"
        return refused.reason if refused else None

    def _task(self, occurrence: rules.Occurrence) -> dict:
        return {
            "store_id": self.store.id,
            "kind": str(occurrence.kind),
            "channel": Channel.PHONE.value,
            "subject": occurrence.subject,
            "cycle": occurrence.cycle,
            "customer_id": occurrence.customer_id,
            "vehicle_id": occurrence.vehicle_id,
            "window_start": occurrence.window_start,
            "due_date": occurrence.due_date,
            "status": "open",
            "reason": occurrence.reason,
            "details": occurrence.details,
            "attempts": 0,
            "next_try_on": None,
            "late": occurrence.window_start < self.day,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _message(self, occurrence: rules.Occurrence, customer, vehicles: dict) -> dict:
        # Composing loads the template engine: only a run that has a message to write.
        from crm.sms import compose

        details = occurrence.details
        values = {k: v for k, v in details.items() if k not in ("holiday", "template")}
        if "holiday" in details:
            values["holiday"] = HOLIDAYS[details["holiday"]][1 if self.locale == "zh_CN" else 2]
        owed = compose.Owed(
            str(occurrence.kind),
            occurrence.subject,
            occurrence.cycle,
            occurrence.reason,
            planned_for=occurrence.window_start,
            due_date=occurrence.due_date,
            vehicle_id=occurrence.vehicle_id,
            template=details.get("template"),
            values=values,
        )
        return compose.message_row(
            owed,
            store=self.store,
            customer=customer,
            vehicle=vehicles.get(occurrence.vehicle_id),
            settings=self.settings,
            today=self.day,
            zone=self.zone,
            now=self.now,
        )

    def _customers(self, ids: set[int]) -> dict:
        rows = read(
            self.session,
            select(
                Customer.id,
                Customer.name,
                Customer.gender,
                Customer.phone,
                Customer.phone_valid,
                Customer.phone_sms,
                Customer.status,
                Customer.sms_consent,
                Customer.marketing_consent,
                eligibility.in_complaint(Customer.id).label("in_complaint"),
            ).where(one_of(self.session, Customer.id, ids)),
        )
        return {row[0]: row for row in rows.all()}  # fetched at once, not row by row

    def _do_not_call(self, ids: set[int]) -> set[tuple[int, str]]:
        rows = read(
            self.session,
            select(DoNotCall.customer_id, DoNotCall.kind).where(
                one_of(self.session, DoNotCall.customer_id, ids)
            ),
        )
        return {(customer_id, kind) for customer_id, kind in rows}

    def _vehicles(self, ids: set[int]) -> dict:
        if not ids:
            return {}
        rows = read(
            self.session,
            select(Vehicle.id, Vehicle.model, Vehicle.plate).where(
                one_of(self.session, Vehicle.id, ids)
            ),
        )
        return {row.id: row for row in rows}
