"""Finding a customer the way people ask at the desk: a phone however typed, plate, name, VIN."""

from __future__ import annotations

import re

from sqlalchemy import or_
from sqlmodel import Session, select

from crm.models import Customer, Vehicle
from crm.vocabulary.phones import BadValue, parse_phone

LIMIT = 20
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_SPACES = re.compile(r"[\s·.\-]")


def search(session: Session, store_id: int, query: str, region: str) -> list[dict]:
    """Customers of the store matching `query`, each with their cars, best matches first."""
    query = (query or "").strip()[:64]
    if not query:
        return []
    compact = _SPACES.sub("", query).upper()
    found: dict[int, Customer] = {}
    try:
        phone = parse_phone(query, region)
    except BadValue:
        phone = None
    in_store = Customer.store_id == store_id
    if phone:
        _add(found, session.exec(select(Customer).where(in_store, Customer.phone == phone)))
    cars = Vehicle.store_id == store_id
    if _VIN.match(compact):
        by_car = select(Customer).join(Vehicle, Vehicle.owner_id == Customer.id)
        _add(found, session.exec(by_car.where(cars, in_store, Vehicle.vin == compact)))
    if len(compact) >= 3:
        by_plate = select(Customer).join(Vehicle, Vehicle.owner_id == Customer.id)
        _add(
            found,
            session.exec(
                by_plate.where(
                    cars, in_store, Vehicle.plate.startswith(compact, autoescape=True)
                ).limit(LIMIT)
            ),
        )
    _add(
        found,
        session.exec(
            select(Customer)
            .where(
                in_store,
                or_(
                    Customer.name.startswith(query, autoescape=True),
                    Customer.customer_code == query,
                ),
            )
            .order_by(Customer.name, Customer.id)
            .limit(LIMIT)
        ),
    )
    people = list(found.values())[:LIMIT]
    vehicles: dict[int, list[dict]] = {}
    if people:
        for car in session.exec(
            select(Vehicle).where(Vehicle.owner_id.in_([p.id for p in people])).order_by(Vehicle.id)
        ):
            vehicles.setdefault(car.owner_id, []).append(
                {"model": car.model, "plate": car.plate, "vin": car.vin}
            )
    return [
        {
            "customer_id": person.id,
            "customer_code": person.customer_code,
            "name": person.name,
            "status": person.status,
            "phone": person.phone,
            "is_lead": person.is_lead,
            "vehicles": vehicles.get(person.id, []),
        }
        for person in people
    ]


def _add(found: dict[int, Customer], customers) -> None:
    for customer in customers:
        found.setdefault(customer.id, customer)
