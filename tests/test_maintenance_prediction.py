"""定保: the next maintenance of a car, predicted from its own odometer history.

Expected dates are worked out by hand from the documented rule: the earlier of the basis
visit + interval months and the day the pace reaches the basis km + interval km.
"""

from datetime import date, timedelta

import pytest

from crm.config import MaintenanceInterval, MaintenanceSettings, Settings
from crm.followup.maintenance import ServiceRecord, pace, predict
from crm.followup.rules import Reading
from tests.factories import TODAY

SETTINGS = Settings().maintenance  # 5,000 km or 6 months, 12 months' look-back, 400 km/day
DELIVERED = date(2026, 1, 1)
MAX_PACE = SETTINGS.max_pace_km_day


def first_service(day: date, km: int, visit_id: int = 1) -> ServiceRecord:
    return ServiceRecord(visit_id=visit_id, day=day, km=km, service_type="first_service")


def maintenance(day: date, km: int, visit_id: int) -> ServiceRecord:
    return ServiceRecord(visit_id=visit_id, day=day, km=km, service_type="maintenance")


def repair(day: date, km: int, visit_id: int) -> ServiceRecord:
    return ServiceRecord(visit_id=visit_id, day=day, km=km, service_type="repair")


def predict_default(services, reported=(), delivered=DELIVERED, model="朗逸"):
    return predict(delivered, services, list(reported), SETTINGS.interval(model), SETTINGS)


# --- pace ---------------------------------------------------------------------------------


def test_two_readings_give_the_km_driven_per_day_between_them():
    readings = [Reading(date(2026, 1, 1), 0), Reading(date(2026, 3, 2), 3000)]  # 60 days

    assert pace(readings, MAX_PACE) == pytest.approx(50.0)


def test_three_or_more_readings_give_the_least_squares_slope():
    # Days 0, 10, 40 at 0, 1,000, 2,000 km. Means: 50/3 days, 1,000 km.
    # Slope = sum(dx*dy) / sum(dx^2) = 40,000 / (2,600/3) = 600/13 ≈ 46.15 km a day,
    # unlike any pair of the readings (100, 33.3 or 50 km a day).
    readings = [
        Reading(date(2026, 1, 1), 0),
        Reading(date(2026, 1, 11), 1000),
        Reading(date(2026, 2, 10), 2000),
    ]

    assert pace(readings, MAX_PACE) == pytest.approx(600 / 13)


def test_a_single_reading_gives_no_pace():
    assert pace([Reading(date(2026, 3, 2), 3000)], MAX_PACE) is None
    assert pace([], MAX_PACE) is None


def test_readings_less_than_a_week_apart_give_no_pace():
    six_days = [Reading(date(2026, 3, 1), 1000), Reading(date(2026, 3, 7), 1300)]
    seven_days = [Reading(date(2026, 3, 1), 1000), Reading(date(2026, 3, 8), 1350)]

    assert pace(six_days, MAX_PACE) is None
    assert pace(seven_days, MAX_PACE) == pytest.approx(50.0)


def test_an_odometer_that_did_not_move_or_went_back_gives_no_pace():
    still = [Reading(date(2026, 1, 1), 3000), Reading(date(2026, 3, 2), 3000)]
    back = [Reading(date(2026, 1, 1), 3000), Reading(date(2026, 3, 2), 2000)]

    assert pace(still, MAX_PACE) is None
    assert pace(back, MAX_PACE) is None


def test_a_pace_above_the_plausible_maximum_gives_no_pace():
    # 50,000 km in 31 days (a typo for 5,000) is over 1,600 km a day.
    typo = [Reading(date(2026, 1, 1), 0), Reading(date(2026, 2, 1), 50000)]
    at_max = [Reading(date(2026, 1, 1), 0), Reading(date(2026, 1, 11), 4000)]  # 400 km/day

    assert pace(typo, MAX_PACE) is None
    assert pace(at_max, MAX_PACE) == pytest.approx(400.0)


# --- predict ------------------------------------------------------------------------------


def test_there_is_no_maintenance_prediction_before_the_first_service():
    assert predict_default([]) is None
    assert predict_default([repair(date(2026, 2, 1), 1500, visit_id=5)]) is None


def test_a_heavy_driver_is_due_when_the_pace_reaches_the_interval_km():
    # 5,000 km in the 50 days to the first service is 100 km a day: the next 5,000 km take
    # another 50 days, long before the 6 months (20 August).
    prediction = predict_default([first_service(date(2026, 2, 20), 5000)])

    assert prediction.due_on == date(2026, 4, 11)  # 20 February + 50 days
    assert prediction.basis == "km"
    assert prediction.pace_km_day == pytest.approx(100.0)
    assert prediction.readings == 2  # 0 km at delivery and the first service
    assert prediction.basis_visit_id == 1


def test_a_pace_that_reaches_the_interval_km_on_an_exact_day_predicts_that_day():
    # 5,000 km in the 28 days to the first service (29 January): the next 5,000 km take
    # exactly 28 days more, to 26 February, not a day earlier.
    prediction = predict_default([first_service(date(2026, 1, 29), 5000)])

    assert prediction.basis == "km"
    assert prediction.due_on == date(2026, 2, 26)


def test_a_light_driver_is_due_six_months_after_the_last_service():
    # 1,800 km in 90 days is 20 km a day: 5,000 km more would take 250 days.
    prediction = predict_default([first_service(date(2026, 4, 1), 1800)])

    assert prediction.due_on == date(2026, 10, 1)
    assert prediction.basis == "months"
    assert prediction.pace_km_day == pytest.approx(20.0)


def test_the_six_months_clamp_to_the_end_of_a_shorter_month():
    # 1,800 km in 89 days: a light driver, due by months; 31 March + 6 months = 30 September.
    prediction = predict_default([first_service(date(2026, 3, 31), 1800)])

    assert prediction.due_on == date(2026, 9, 30)


def test_a_single_reading_in_the_look_back_leaves_the_date_to_the_months():
    # Delivered in January 2023; the first service in June 2024 is the only reading in the
    # 12 months before it, so there is no pace, however far the car has gone.
    prediction = predict_default(
        [first_service(date(2024, 6, 1), 9000)], delivered=date(2023, 1, 1)
    )

    assert prediction.pace_km_day is None
    assert prediction.readings == 1
    assert prediction.basis == "months"
    assert prediction.due_on == date(2024, 12, 1)


def test_an_implausible_pace_leaves_the_date_to_the_months():
    # 50,000 km a month after delivery is a typo; without it the car would be due at once.
    prediction = predict_default([first_service(date(2026, 2, 1), 50000)])

    assert prediction.pace_km_day is None
    assert prediction.basis == "months"
    assert prediction.due_on == date(2026, 8, 1)


def test_an_odometer_that_never_moved_leaves_the_date_to_the_months():
    prediction = predict_default([first_service(date(2026, 4, 1), 0)])

    assert prediction.pace_km_day is None
    assert prediction.due_on == date(2026, 10, 1)


def test_readings_older_than_the_look_back_do_not_set_the_pace():
    # A slow first year (1,000 km in 3 months), then 3,500 km in the 70 days from the June
    # 2025 maintenance to a call on 10 August: 50 km a day. The 12 months before that call
    # start 10 August 2024, so only those two readings count. 1,500 km remain at 50 km a
    # day: 30 days, 9 September, before the 6 months (1 December).
    services = [
        first_service(date(2024, 4, 1), 1000, visit_id=1),
        maintenance(date(2025, 6, 1), 5000, visit_id=2),
    ]

    prediction = predict_default(
        services, reported=[Reading(date(2025, 8, 10), 8500)], delivered=date(2024, 1, 1)
    )

    assert prediction.readings == 2
    assert prediction.pace_km_day == pytest.approx(50.0)
    assert prediction.basis_visit_id == 2
    assert prediction.due_on == date(2025, 9, 9)


def test_the_latest_maintenance_visit_is_the_basis():
    services = [
        first_service(date(2026, 4, 1), 1800, visit_id=1),
        maintenance(date(2026, 10, 1), 5460, visit_id=2),
    ]

    prediction = predict_default(services)

    # 20 km a day throughout: 5,000 km more take 250 days, so the months win: 1 April 2027.
    assert prediction.basis_visit_id == 2
    assert prediction.due_on == date(2027, 4, 1)


def test_repair_visits_give_readings_but_are_not_a_basis():
    # 0 km on 1 January, 5,000 km at the first service on day 100 (11 April), 7,500 km at a
    # repair on day 150 (31 May): 50 km a day. The next maintenance is at 10,000 km, 2,500
    # km after the repair: day 200, 20 July. Had the repair been the basis, 12,500 km.
    services = [
        first_service(date(2026, 4, 11), 5000, visit_id=1),
        repair(date(2026, 5, 31), 7500, visit_id=2),
    ]

    prediction = predict_default(services)

    assert prediction.basis_visit_id == 1
    assert prediction.readings == 3
    assert prediction.pace_km_day == pytest.approx(50.0)
    assert prediction.due_on == date(2026, 7, 20)


def test_mileage_reported_on_a_call_counts_as_a_reading():
    # First service at 1,800 km on day 90 (20 km a day), then 4,800 km reported on day 150
    # (31 May): a least-squares pace over (0, 0), (90, 1,800), (150, 4,800).
    prediction = predict_default(
        [first_service(date(2026, 4, 1), 1800)], reported=[Reading(date(2026, 5, 31), 4800)]
    )
    # Means: 80 days, 2,200 km. Slope = (-80*-2200 + 10*-400 + 70*2600) / (6400+100+4900)
    # = 354,000 / 11,400 ≈ 31.05 km a day; 2,000 km remain after the call: 64.4 days,
    # so day 64 after 31 May: 3 August.
    assert prediction.readings == 3
    assert prediction.pace_km_day == pytest.approx(31.1)
    assert prediction.due_on == date(2026, 5, 31) + timedelta(days=64)
    assert prediction.due_on == date(2026, 8, 3)


def test_a_car_already_past_its_km_is_due_on_its_latest_reading():
    # 9,000 km reported on 10 June is past the 8,000 km due after the 3,000 km first service.
    prediction = predict_default(
        [first_service(date(2026, 4, 1), 3000)], reported=[Reading(date(2026, 6, 10), 9000)]
    )

    assert prediction.basis == "km"
    assert prediction.due_on == date(2026, 6, 10)


def test_a_model_with_its_own_interval_is_predicted_by_it():
    settings = MaintenanceSettings(
        models={"速腾": MaintenanceInterval(interval_km=10000, interval_months=12)}
    )
    heavy = [first_service(date(2026, 2, 20), 5000)]  # 100 km a day
    light = [first_service(date(2026, 4, 1), 1800)]  # 20 km a day

    def due(services, model):
        return predict(DELIVERED, services, [], settings.interval(model), settings).due_on

    store_default = settings.interval("朗逸")
    assert (store_default.interval_km, store_default.interval_months) == (5000, 6)
    assert due(heavy, "速腾") == date(2026, 5, 31)  # 10,000 km at 100 km a day: 100 days
    assert due(heavy, "朗逸") == date(2026, 4, 11)  # 5,000 km: 50 days
    assert due(light, "速腾") == date(2027, 4, 1)  # 12 months
    assert due(light, "朗逸") == date(2026, 10, 1)  # 6 months


def test_stale_history_gives_a_date_long_past():
    # The last the store heard of this car is its first service in September 2023, two and
    # a half years before today: 1,500 km in 92 days is a light driver, due by months in
    # March 2024. A date that far back falls outside every planning horizon.
    prediction = predict_default(
        [first_service(date(2023, 9, 1), 1500)], delivered=date(2023, 6, 1)
    )

    assert prediction.due_on == date(2024, 3, 1)
    assert prediction.due_on < TODAY - timedelta(days=365)
