"""Finding the customer (and car) a person at the desk names."""

from __future__ import annotations

from sqlmodel import Session, select

from crm.errors import NotFound, UsageError
from crm.models import Customer, Store, Vehicle
from crm.vocabulary.phones import BadValue, parse_phone

MAX_ID = 2**31 - 1


def find_customer(session: Session, store: Store, ref: str, region: str) -> Customer:
    """A customer by id, DMS code or phone; `id:N` or `code:X` when a value could be either."""
    ref = ref.strip()
    kind, _, value = ref.partition(":")
    if kind in ("id", "code", "phone") and value:
        matches = _by(session, store, kind, value.strip(), region)
    else:
        matches = {}
        for kind in ("id", "code", "phone"):
            for customer in _by(session, store, kind, ref, region):
                matches.setdefault(customer.id, (kind, customer))
        matches = [customer for _kind, customer in matches.values()]
    if not matches:
        raise NotFound(
            f"no customer {ref!r} in store {store.code}; give an id, code or phone",
            field="customer",
        )
    if len(matches) > 1:
        names = ", ".join(f"id:{c.id} ({c.name})" for c in matches)
        raise UsageError(
            f"{ref!r} matches {names}; say which, e.g. id:{matches[0].id}", field="customer"
        )
    return matches[0]


def _by(session: Session, store: Store, kind: str, value: str, region: str) -> list[Customer]:
    in_store = Customer.store_id == store.id
    if kind == "id":
        if not value.isdigit() or int(value) > MAX_ID:
            return []
        return list(session.exec(select(Customer).where(in_store, Customer.id == int(value))))
    if kind == "code":
        return list(session.exec(select(Customer).where(in_store, Customer.customer_code == value)))
    try:
        phone = parse_phone(value, region)
    except BadValue:
        return []
    return list(session.exec(select(Customer).where(in_store, Customer.phone == phone)))


def find_vehicle(session: Session, customer: Customer, vin: str) -> Vehicle:
    vehicle = session.exec(select(Vehicle).where(Vehicle.vin == vin.strip().upper())).first()
    if vehicle is None or vehicle.owner_id != customer.id:
        raise UsageError(f"{customer.name} owns no vehicle with VIN {vin}", field="vin")
    return vehicle
