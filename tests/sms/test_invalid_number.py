"""One meaning of "invalid number": flagged in a store, it is invalid for every customer of
that store who has it, whoever proved it wrong (the call desk or the SMS provider)."""

from datetime import timedelta

from freezegun import freeze_time
from sqlmodel import select

from crm.models import Customer, FollowupTask, SmsMessage, Store
from crm.sms.outbox import Dispatcher
from tests.factories import NOW, TODAY, add_agent, add_customer, add_message, add_task

SHARED = "+8613800000077"


def one_phone_in_two_stores(session):
    """Husband and wife share a phone in the demo store; another store has the same number."""
    other_store = Store(code="gz02", name="广州二店", timezone="Asia/Shanghai")
    session.add(other_store)
    session.commit()
    husband = add_customer(session, name="王伟", phone=SHARED)
    wife = add_customer(session, name="李娜", phone=SHARED)
    elsewhere = add_customer(session, name="赵敏", phone=SHARED, store_id=other_store.id)
    queued = {
        c.id: add_message(session, c, not_before=NOW + timedelta(hours=1))
        for c in (husband, wife, elsewhere)
    }
    return husband, wife, elsewhere, queued


def state(session, customers, queued):
    session.expire_all()
    return {
        c.name: (
            session.get(Customer, c.id).phone_valid,
            session.get(SmsMessage, queued[c.id].id).status,
        )
        for c in customers
    }


def test_a_wrong_number_at_the_call_desk_flags_everyone_in_the_store_with_that_phone(crm, session):
    husband, wife, elsewhere, queued = one_phone_in_two_stores(session)
    add_agent(session, "a01")
    call = add_task(session, husband, "care_call", TODAY, TODAY)
    wifes_call = add_task(session, wife, "sales_callback", TODAY, TODAY)
    elsewhere_call = add_task(session, elsewhere, "care_call", TODAY, TODAY)

    result = crm("calls", "log", call.id, "--outcome", "wrong_number", "--agent", "a01")

    assert result.exit_code == 0, result.output
    assert state(session, (husband, wife, elsewhere), queued) == {
        "王伟": (False, "cancelled"),
        "李娜": (False, "cancelled"),
        "赵敏": (True, "queued"),
    }
    assert session.get(FollowupTask, wifes_call.id).status == "unreachable"
    assert session.get(FollowupTask, elsewhere_call.id).status == "open"


def test_a_providers_21211_flags_everyone_in_the_store_with_that_phone(
    session, settings, twilio, fake_twilio
):
    husband, wife, elsewhere, queued = one_phone_in_two_stores(session)
    refused = add_message(session, husband)
    fake_twilio.refuse[SHARED] = 21211

    with freeze_time(NOW, tick=True):
        Dispatcher(session, settings.sms, twilio).run()

    session.expire_all()
    assert session.get(SmsMessage, refused.id).status == "failed"
    assert state(session, (husband, wife, elsewhere), queued) == {
        "王伟": (False, "cancelled"),
        "李娜": (False, "cancelled"),
        "赵敏": (True, "queued"),
    }
    assert [
        m.id for m in session.exec(select(SmsMessage).where(SmsMessage.status == "cancelled"))
    ] == [
        queued[husband.id].id,
        queued[wife.id].id,
    ]


def test_the_other_stores_customer_still_gets_their_message(session, settings, twilio, fake_twilio):
    husband, _wife, elsewhere, queued = one_phone_in_two_stores(session)
    add_message(session, husband)
    fake_twilio.refuse[SHARED] = 21211
    with freeze_time(NOW, tick=True):
        Dispatcher(session, settings.sms, twilio).run()
    del fake_twilio.refuse[SHARED]

    with freeze_time(NOW + timedelta(hours=2), tick=True):
        Dispatcher(session, settings.sms, twilio).run()

    session.expire_all()
    assert session.get(SmsMessage, queued[elsewhere.id].id).status == "sent"
