"""One rule for who may get an SMS: the SQL that claims and cancels says what the check says."""

from itertools import product

import pytest
from sqlalchemy import select

from crm.models import Customer, SmsCategory
from crm.sms import eligibility
from tests.factories import add_customer

EVERY_CUSTOMER = list(
    product(("active", "lost", "deceased"), (True, False), (True, False), (True, False))
)


@pytest.mark.parametrize("category", list(SmsCategory))
def test_the_sql_and_the_row_check_agree_for_every_kind_of_customer(session, category):
    customers = {
        add_customer(
            session, status=status, phone_valid=valid, sms_consent=sms, marketing_consent=marketing
        ).id: (status, valid, sms, marketing)
        for status, valid, sms, marketing in EVERY_CUSTOMER
    }
    allowed_in_sql = set(
        session.execute(select(Customer.id).where(eligibility.allowed(category))).scalars()
    )
    reasons_in_sql = {
        reason: set(session.execute(select(Customer.id).where(condition)).scalars())
        for reason, condition in eligibility.refusals(category).items()
    }

    for customer in session.execute(select(Customer)).scalars():
        refused = eligibility.refusal(customer, category)
        assert (customer.id in allowed_in_sql) == (refused is None), customers[customer.id]
        if refused is not None:
            assert customer.id in reasons_in_sql[refused.reason]


def test_service_needs_sms_consent_and_marketing_needs_marketing_consent(session):
    service_only = add_customer(session, marketing_consent=False)
    marketing_only = add_customer(session, sms_consent=False)

    assert eligibility.refusal(service_only, SmsCategory.SERVICE) is None
    assert eligibility.refusal(service_only, SmsCategory.MARKETING).words == "no marketing consent"
    assert eligibility.refusal(marketing_only, SmsCategory.SERVICE).words == "no SMS consent"
    assert eligibility.refusal(marketing_only, SmsCategory.MARKETING) is None


def test_a_lost_customer_is_refused_as_lost_before_any_other_reason(session):
    lost = add_customer(session, status="lost", phone_valid=False, sms_consent=False)

    assert eligibility.refusal(lost, SmsCategory.SERVICE).reason == "customer_lost_or_deceased"
    assert eligibility.refusal(None, SmsCategory.SERVICE).reason == "customer_lost_or_deceased"
