"""The demo store: believable, repeatable data, and `crm demo seed` that never clobbers a store."""

import re
import shutil
from collections import defaultdict
from datetime import date

import phonenumbers
import pytest
from sqlalchemy import func
from sqlmodel import select

from crm import db, demo
from crm.demo import seed, vin_check_digit
from crm.importing import values
from crm.models import Agent, Customer, ServiceVisit, Vehicle
from crm.stores import add_store, get_store
from tests.factories import NOW, TODAY

CUSTOMERS = 300


@pytest.fixture
def seeded(session):
    """The configured store filled with 300 demo customers built around TODAY."""
    store = get_store(session, "demo")
    result = seed(session, store, customers=CUSTOMERS, seed_value=7, today=TODAY, now=NOW)
    return result


@pytest.fixture
def second_database_url(sqlite_template, tmp_path):
    """Another fresh SQLite database holding only the configured store."""
    path = tmp_path / "second.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def snapshot(database_url: str) -> dict[str, list[tuple]]:
    """Everything a person would see of the demo store, in a stable order."""
    engine = db.make_engine(database_url)
    try:
        with db.session(engine) as session:
            return {
                "customers": sorted(
                    session.exec(
                        select(
                            Customer.customer_code,
                            Customer.name,
                            Customer.phone,
                            Customer.birthday,
                            Customer.birthday_calendar,
                            Customer.gender,
                            Customer.occupation,
                            Customer.sms_consent,
                            Customer.marketing_consent,
                            Customer.status,
                        )
                    ).all()
                ),
                "vehicles": sorted(
                    session.exec(
                        select(
                            Vehicle.vin,
                            Vehicle.plate,
                            Vehicle.model,
                            Vehicle.delivery_date,
                            Vehicle.sales_consultant,
                            Customer.customer_code,
                        ).join(Customer, Customer.id == Vehicle.owner_id)
                    ).all()
                ),
                "visits": sorted(
                    session.exec(
                        select(
                            ServiceVisit.ro_number,
                            Vehicle.vin,
                            ServiceVisit.visit_date,
                            ServiceVisit.odometer_km,
                            ServiceVisit.service_type,
                            ServiceVisit.service_advisor,
                            ServiceVisit.revenue_cents,
                        ).join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
                    ).all()
                ),
            }
    finally:
        engine.dispose()


def iso3779_check_digit(vin: str) -> str:
    """The check digit a 17-character VIN should carry, computed the textbook way."""
    # A letter's value is its position in this string, modulo 10 (the dots are I, O, Q and
    # the letters ISO 3779 skips in its numbering).
    table = "0123456789.ABCDEFGH..JKLMN.P.R..STUVWXYZ"
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum((table.index(c) % 10) * w for c, w in zip(vin, weights, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


# --- the check digit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "vin",
    [
        # The textbook example: 1·8 + M(4)·7 + 8·6 + G(7)·5 + D(4)·4 + M(4)·3 + 9·2 + A(1)·10
        # + K(2)·9 + P(7)·8 + 0·7 + 4·6 + 2·5 + 7·4 + 8·3 + 8·2 = 351 = 31·11 + 10, so "X".
        "1M8GDM9AXKP042788",
        # All ones: the weights sum to 89 = 8·11 + 1, so the check digit is 1.
        "11111111111111111",
    ],
)
def test_the_check_digit_of_a_real_vin_is_computed_as_iso_3779_says(vin):
    assert vin_check_digit(vin[:8] + vin[9:]) == vin[8]


def test_a_vin_whose_weighted_sum_divides_by_11_has_check_digit_0():
    assert vin_check_digit("0" * 16) == "0"
    # Position 1 = B (2·8 = 16) and position 17 = 3 (3·2 = 6): 22 = 2·11.
    assert vin_check_digit("B" + "0" * 14 + "3") == "0"


# --- the same seed, the same store -------------------------------------------------------


def test_the_same_seed_and_day_give_the_same_store_in_a_fresh_database(
    crm, database_url, second_database_url
):
    args = ("demo", "seed", "--customers", CUSTOMERS, "--seed", "7", "--today", "2025-06-30")

    first = crm(*args)
    second = crm(*args, db_url=second_database_url)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    here, there = snapshot(database_url), snapshot(second_database_url)
    assert len(here["customers"]) == CUSTOMERS
    assert here["visits"]
    assert here == there


def test_a_different_seed_gives_different_customers_cars_and_visits(
    crm, database_url, second_database_url
):
    crm("demo", "seed", "--customers", CUSTOMERS, "--seed", "7")
    crm("demo", "seed", "--customers", CUSTOMERS, "--seed", "8", db_url=second_database_url)

    seven, eight = snapshot(database_url), snapshot(second_database_url)
    assert len(seven["customers"]) == len(eight["customers"]) == CUSTOMERS
    phones_seven = {row[2] for row in seven["customers"]}
    phones_eight = {row[2] for row in eight["customers"]}
    assert phones_seven != phones_eight
    assert {row[3] for row in seven["vehicles"]} != {row[3] for row in eight["vehicles"]}
    assert seven["visits"] != eight["visits"]


def test_seeding_in_many_batches_gives_the_same_store_as_in_one(
    database_url, second_database_url, monkeypatch
):
    # Big stores go in CHUNK customers at a time; ids and repair-order numbers must carry on.
    def seeded_with(url: str) -> None:
        engine = db.make_engine(url)
        with db.session(engine) as session:
            seed(
                session,
                get_store(session, "demo"),
                customers=40,
                seed_value=3,
                today=TODAY,
                now=NOW,
            )
        engine.dispose()

    seeded_with(second_database_url)
    monkeypatch.setattr(demo, "CHUNK", 7)
    seeded_with(database_url)

    assert snapshot(database_url) == snapshot(second_database_url)


# --- believable data ---------------------------------------------------------------------


def test_the_seed_summary_counts_what_landed_in_the_database(crm, session):
    result = crm("demo", "seed", "--customers", CUSTOMERS, "--seed", "7")

    assert result.exit_code == 0, result.output
    match = re.search(
        r"seeded (\d+) customers, (\d+) vehicles, (\d+) service visits, "
        r"(\d+) agents in \d+\.\d s",
        result.output,
    )
    assert match, result.output
    customers, vehicles, visits, agents = map(int, match.groups())
    assert customers == CUSTOMERS
    assert vehicles == session.exec(select(func.count()).select_from(Vehicle)).one()
    assert visits == session.exec(select(func.count()).select_from(ServiceVisit)).one()
    assert agents == session.exec(select(func.count()).select_from(Agent)).one() == 4
    assert customers <= vehicles < 2 * customers  # some customers own a second car


def test_demo_data_is_built_around_the_day_given_with_today(crm, session):
    result = crm("demo", "seed", "--customers", "100", "--seed", "7", "--today", "2024-12-31")

    assert result.exit_code == 0, result.output
    deliveries = session.exec(select(Vehicle.delivery_date)).all()
    visits = session.exec(select(ServiceVisit.visit_date)).all()
    assert max(deliveries) < date(2024, 12, 31)
    assert max(visits) < date(2024, 12, 31)
    assert min(deliveries) >= date(2021, 12, 31)  # cars sold within the last three years


def test_seeded_rows_answer_queries_on_time_flag_and_date_like_rows_the_app_writes(seeded, session):
    # The seed bypasses the ORM for speed; SQL comparisons must still find its rows.
    stamped = select(func.count()).select_from(Customer).where(Customer.created_at == NOW)
    consenting = select(func.count()).select_from(Customer).where(Customer.marketing_consent)
    delivered = select(func.count()).select_from(Vehicle).where(Vehicle.delivery_date < TODAY)
    customers = session.exec(select(Customer)).all()

    assert session.exec(stamped).one() == CUSTOMERS
    assert session.exec(consenting).one() == sum(c.marketing_consent for c in customers)
    assert session.exec(delivered).one() == seeded.vehicles
    assert all(c.created_at == NOW and c.marketing_consent_at == NOW for c in customers)


def test_every_visit_is_after_its_cars_delivery_and_before_today(seeded, session):
    rows = session.exec(
        select(ServiceVisit.visit_date, Vehicle.delivery_date).join(
            Vehicle, Vehicle.id == ServiceVisit.vehicle_id
        )
    ).all()

    assert rows
    assert all(delivered <= visited < TODAY for visited, delivered in rows)
    assert all(delivered < TODAY for delivered in session.exec(select(Vehicle.delivery_date)))


def test_every_visit_is_booked_to_the_cars_owner(seeded, session):
    rows = session.exec(
        select(ServiceVisit.customer_id, Vehicle.owner_id).join(
            Vehicle, Vehicle.id == ServiceVisit.vehicle_id
        )
    ).all()

    assert rows
    assert all(customer == owner for customer, owner in rows)


def test_a_cars_odometer_never_goes_back_from_one_visit_to_the_next(seeded, session):
    readings = defaultdict(list)
    for vehicle_id, visited, km in session.exec(
        select(ServiceVisit.vehicle_id, ServiceVisit.visit_date, ServiceVisit.odometer_km)
    ):
        readings[vehicle_id].append((visited, km))

    histories = [sorted(visits) for visits in readings.values()]
    assert sum(len(history) >= 3 for history in histories) > CUSTOMERS // 10
    for history in histories:
        for (_, earlier_km), (_, later_km) in zip(history, history[1:], strict=False):
            assert earlier_km <= later_km, history


def test_some_birthdays_are_lunar_and_only_some_customers_welcome_marketing(seeded, session):
    customers = session.exec(select(Customer)).all()

    lunar = [c for c in customers if c.birthday is not None and c.birthday_calendar == "lunar"]
    solar = [c for c in customers if c.birthday is not None and c.birthday_calendar == "solar"]
    assert lunar and solar
    assert any(c.birthday is None for c in customers)
    assert any(c.marketing_consent for c in customers)
    assert any(not c.marketing_consent for c in customers)
    assert all(date(1950, 1, 1) < c.birthday < date(2005, 1, 1) for c in lunar + solar)


def test_every_phone_is_a_distinct_valid_chinese_mobile_in_e164(seeded, session):
    phones = session.exec(select(Customer.phone)).all()

    assert len(phones) == CUSTOMERS
    assert len(set(phones)) == CUSTOMERS
    for phone in phones:
        parsed = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(parsed), phone
        assert phonenumbers.region_code_for_number(parsed) == "CN", phone
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE, phone
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone


def test_every_vin_is_a_distinct_well_formed_vin_with_the_right_check_digit(seeded, session):
    # Model-year codes skip I, O, Q, U, Z and 0: 2023 P, 2024 R, 2025 S, 2026 T.
    year_codes = {2023: "P", 2024: "R", 2025: "S", 2026: "T"}
    cars = session.exec(select(Vehicle.vin, Vehicle.delivery_date)).all()

    assert len(cars) >= CUSTOMERS
    assert len({vin for vin, _ in cars}) == len(cars)
    for vin, delivered in cars:
        assert len(vin) == 17
        assert values.vin(vin) == vin, vin  # importable: no I, O or Q, upper case
        assert vin[8] == iso3779_check_digit(vin), vin
        assert vin[9] == year_codes[delivered.year], vin


# --- never clobbering a store ------------------------------------------------------------


def test_seeding_with_if_empty_leaves_a_seeded_store_alone_and_says_so(crm, session):
    crm("demo", "seed", "--customers", "40", "--seed", "7")

    result = crm("demo", "seed", "--customers", "40", "--seed", "8", "--if-empty")

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "store demo already has 40 customers; not seeding"
    assert "demo-a01-pass" in lines[2]  # the logins are still printed for `make run`
    assert session.exec(select(func.count()).select_from(Customer)).one() == 40
    assert session.exec(select(func.count()).select_from(Agent)).one() == 4


def test_the_demo_gives_each_agent_and_a_manager_a_login_that_works(crm, session):
    from crm.actions.users import sign_in
    from crm.app import App
    from crm.config import Settings

    result = crm("demo", "seed", "--customers", "40")

    assert result.exit_code == 0, result.output
    printed = [line.split() for line in result.output.splitlines() if "-pass" in line]
    assert [(role, code) for role, code, *_ in printed] == [
        ("agent", "a01"),
        ("agent", "a02"),
        ("agent", "a03"),
        ("agent", "a04"),
        ("manager", "m01"),
    ]
    app = App(Settings(), str(session.get_bind().url.render_as_string(hide_password=False)))
    viewer = sign_in(app, "a01", printed[0][2])
    assert (viewer.role, viewer.agent_id is not None) == ("agent", True)


def test_a_store_the_demo_did_not_fill_gets_no_demo_logins(crm, session):
    from crm.models import User
    from tests.factories import add_customer

    add_customer(session)  # a real store's data

    result = crm("demo", "seed", "--customers", "40", "--if-empty")

    assert "not seeding" in result.output
    assert "-pass" not in result.output
    assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_if_empty_still_seeds_an_empty_store(crm, session):
    result = crm("demo", "seed", "--customers", "40", "--if-empty")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("seeded 40 customers")
    assert session.exec(select(func.count()).select_from(Customer)).one() == 40


def test_seeding_a_store_that_has_customers_is_refused_in_one_line(crm, session):
    crm("demo", "seed", "--customers", "40", "--seed", "7")
    before = snapshot_counts(session)

    result = crm("demo", "seed", "--customers", "40", "--seed", "8")

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: store 'demo' already has 40 customers; demo seed fills an empty store "
        "(pass --db sqlite:///demo.db for a fresh one)\n"
    )
    assert "Traceback" not in result.output
    assert snapshot_counts(session) == before


def test_seeding_another_store_fills_only_that_store(crm, session):
    crm("demo", "seed", "--customers", "40", "--seed", "7")
    add_store(session, "gz02", "广州天河店", "Asia/Shanghai")

    result = crm("demo", "seed", "--customers", "25", "--store", "gz02")

    assert result.exit_code == 0, result.output
    per_store = dict(
        session.exec(select(Customer.store_id, func.count()).group_by(Customer.store_id)).all()
    )
    assert per_store == {get_store(session, "demo").id: 40, get_store(session, "gz02").id: 25}


def test_a_store_seeded_after_a_million_vehicles_still_gets_vins_of_its_own(crm, session):
    # A dealer group's shared database passes a million vehicles (ten benchmark stores of
    # 100,000 customers); one vehicle at id 1,000,000 stands in for them.
    crm("demo", "seed", "--customers", "20")
    elsewhere = add_store(session, "sz03", "深圳南山店", "Asia/Shanghai")
    owner = Customer(store_id=elsewhere.id, name="王伟", phone="+8613800138000")
    session.add(owner)
    session.flush()
    session.add(
        Vehicle(
            id=1_000_000,
            store_id=elsewhere.id,
            vin="1M8GDM9AXKP042788",
            model="朗逸",
            delivery_date=date(2025, 5, 1),
            owner_id=owner.id,
        )
    )
    add_store(session, "gz02", "广州天河店", "Asia/Shanghai")
    session.commit()

    result = crm("demo", "seed", "--customers", "20", "--store", "gz02")

    assert result.exit_code == 0, result.output
    vins = session.exec(select(Vehicle.vin)).all()
    assert len(vins) == len(set(vins))


def snapshot_counts(session) -> tuple[int, int, int, int]:
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Customer, Vehicle, ServiceVisit, Agent)
    )
