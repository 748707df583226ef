"""Finding the customer (and car) a person at the desk names."""

from __future__ import annotations

from sqlmodel import Session, select

from crm.errors import UsageError
from crm.importing.values import BadValue
from crm.importing.values import phone as parse_phone
from crm.models import Customer, Store, Vehicle


def find_customer(session: Session, store: Store, ref: str, region: str) -> Customer:
    """A customer by id, DMS code or phone number."""
    ref = ref.strip()
    found = []
    if ref.isdigit() and len(ref) < 11:
        customer = session.get(Customer, int(ref))
        found = [customer] if customer and customer.store_id == store.id else []
    if not found:
        found = list(
            session.exec(
                select(Customer).where(Customer.store_id == store.id, Customer.customer_code == ref)
            )
        )
    if not found:
        try:
            phone = parse_phone(ref, region)
        except BadValue:
            phone = None
        if phone:
            found = list(
                session.exec(
                    select(Customer).where(Customer.store_id == store.id, Customer.phone == phone)
                )
            )
    if not found:
        raise UsageError(f"no customer {ref!r} in store {store.code}; give an id, code or phone")
    if len(found) > 1:
        ids = ", ".join(str(c.id) for c in found)
        raise UsageError(f"{ref!r} matches customers {ids}; give the customer id")
    return found[0]


def find_vehicle(session: Session, customer: Customer, vin: str) -> Vehicle:
    vehicle = session.exec(select(Vehicle).where(Vehicle.vin == vin.strip().upper())).first()
    if vehicle is None or vehicle.owner_id != customer.id:
        raise UsageError(f"{customer.name} owns no vehicle with VIN {vin}")
    return vehicle
