"""The desk's upkeep of one customer: add, edit, mark lost or deceased, each change audited."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from crm.access.audit import record
from crm.errors import UsageError
from crm.models import Customer, CustomerStatus, FollowupTask, TaskStatus
from crm.sms.consent import cancel_queued, opt_out
from crm.vocabulary.phones import BadValue, parse_phone, takes_sms

NAME_LENGTH = 64
TEXT_LENGTH = 500
TEXT_FIELDS = ("occupation", "hobbies", "family_notes")
STATUSES = [str(status) for status in CustomerStatus]


def phone_of(value: str, region: str) -> str:
    try:
        return parse_phone(value, region)
    except BadValue as exc:
        raise UsageError(f"{exc}: give a number such as 138 0013 8000", field="phone") from None


def name_of(value: str) -> str:
    name = (value or "").strip()
    if not name or len(name) > NAME_LENGTH:
        raise UsageError(f"a customer needs a name of 1-{NAME_LENGTH} characters", field="name")
    return name


def text_of(field: str, value: str | None) -> str | None:
    text = (value or "").strip() or None
    if text and len(text) > TEXT_LENGTH:
        raise UsageError(f"{field} is longer than {TEXT_LENGTH} characters", field=field)
    return text


def _same_phone(session: Session, store_id: int, phone: str, but: int | None = None):
    query = select(Customer).where(Customer.store_id == store_id, Customer.phone == phone)
    if but is not None:
        query = query.where(Customer.id != but)
    return session.exec(query.limit(1)).first()


def add(session: Session, store_id: int, actor: str, now, region: str, **given) -> Customer:
    """A new customer typed at the desk (a walk-in, a caller); the phone must be new."""
    phone = phone_of(given.get("phone"), region)
    other = _same_phone(session, store_id, phone)
    if other is not None:
        raise UsageError(
            f"{other.name} (id:{other.id}) already has {phone}; edit that customer instead",
            field="phone",
        )
    code = (given.get("customer_code") or "").strip() or None
    if code and len(code) > 64:
        raise UsageError("a DMS customer code is at most 64 characters", field="customer_code")
    if code:
        # The code is unique in the store: say whose it is rather than let the insert fail.
        owner = session.exec(
            select(Customer).where(Customer.store_id == store_id, Customer.customer_code == code)
        ).first()
        if owner is not None:
            raise UsageError(
                f"{owner.name} (id:{owner.id}) already has the DMS code {code}; "
                "edit that customer instead",
                field="customer_code",
            )
    consent = bool(given.get("sms_consent", True))
    customer = Customer(
        store_id=store_id,
        customer_code=code,
        name=name_of(given.get("name")),
        phone=phone,
        phone_sms=takes_sms(phone),
        sms_consent=consent,
        sms_consent_at=now,
        sms_consent_source="desk",
        created_at=now,
        updated_at=now,
        **{field: text_of(field, given.get(field)) for field in TEXT_FIELDS},
    )
    session.add(customer)
    session.flush()
    record(
        session,
        store_id=store_id,
        actor=actor,
        action="customer_phone",
        at=now,
        customer_id=customer.id,
        subject=f"{customer.name} added",
        detail={"after": phone, "sms_consent": consent},
    )
    return customer


def edit(
    session: Session, customer: Customer, actor: str, now, region: str, **changes
) -> dict[str, tuple]:
    """Change the fields given (None = leave); returns {field: (before, after)} of what changed."""
    changed: dict[str, tuple] = {}
    if changes.get("name") is not None:
        _set(customer, "name", name_of(changes["name"]), changed)
    if changes.get("phone") is not None:
        phone = phone_of(changes["phone"], region)
        other = _same_phone(session, customer.store_id, phone, but=customer.id)
        if other is not None and customer.customer_code is None and other.customer_code is None:
            raise UsageError(f"{other.name} (id:{other.id}) already has {phone}", field="phone")
        if _set(customer, "phone", phone, changed):
            customer.phone_valid = True  # a new number has not been proved wrong
            customer.phone_sms = takes_sms(phone)  # a landline takes calls, never an SMS
    for field in TEXT_FIELDS:
        if changes.get(field) is not None:
            _set(customer, field, text_of(field, changes[field]), changed)
    consent = changes.get("sms_consent")
    if consent is not None and consent != customer.sms_consent:
        changed["sms_consent"] = (customer.sms_consent, consent)
    if not changed:
        return changed
    customer.updated_at = now
    session.add(customer)
    session.flush()
    if consent is False and "sms_consent" in changed:
        opt_out(session, [customer.id], "desk", now)
    elif consent is True and "sms_consent" in changed:
        customer.sms_consent, customer.sms_consent_at = True, now
        customer.sms_consent_source = "desk"
    subject = customer.name
    if "phone" in changed:
        before, after = changed["phone"]
        _audit(session, customer, actor, now, "customer_phone", subject, before, after)
    if "sms_consent" in changed:
        before, after = changed["sms_consent"]
        _audit(session, customer, actor, now, "consent", subject, before, after)
    return changed


def mark(session: Session, customer: Customer, status: str, reason: str, actor: str, now) -> dict:
    """Mark a customer lost, deceased or active again; open calls and queued SMS end at once."""
    if status not in STATUSES:
        raise UsageError(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)}", field="status"
        )
    reason = (reason or "").strip()
    if status != CustomerStatus.ACTIVE and not reason:
        raise UsageError("say why, e.g. 已换车 or 家属告知", field="reason")
    if len(reason) > TEXT_LENGTH:
        raise UsageError(f"the reason is longer than {TEXT_LENGTH} characters", field="reason")
    before = customer.status
    if before == status:
        return {"status": status, "changed": False, "calls_cancelled": 0, "sms_cancelled": 0}
    customer.status, customer.updated_at = status, now
    session.add(customer)
    calls = sms = 0
    if status != CustomerStatus.ACTIVE:
        # A deceased customer's family must never get the birthday SMS queued this morning.
        calls = session.execute(
            update(FollowupTask)
            .where(FollowupTask.customer_id == customer.id, FollowupTask.status == "open")
            .values(status=TaskStatus.CANCELLED, closed_at=now, updated_at=now)
        ).rowcount
        sms = cancel_queued(session, [customer.id], f"customer {status}", now)
    record(
        session,
        store_id=customer.store_id,
        actor=actor,
        action="customer_status",
        at=now,
        customer_id=customer.id,
        subject=customer.name,
        detail={"before": before, "after": status, "reason": reason},
    )
    return {"status": status, "changed": True, "calls_cancelled": calls, "sms_cancelled": sms}


def _set(customer: Customer, field: str, value, changed: dict) -> bool:
    before = getattr(customer, field)
    if before == value:
        return False
    setattr(customer, field, value)
    changed[field] = (before, value)
    return True


def _audit(session, customer, actor, now, action, subject, before, after) -> None:
    record(
        session,
        store_id=customer.store_id,
        actor=actor,
        action=action,
        at=now,
        customer_id=customer.id,
        subject=subject,
        detail={"before": before, "after": after},
    )
