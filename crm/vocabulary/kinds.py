"""The kinds of follow-up task, and which of them are SMS of which category.

The planner, the call desk, the SMS outbox and the report all speak of a task by its
kind; the words live here so none of them has to import another to say them.
"""

from __future__ import annotations

from enum import StrEnum

from crm.models import SmsCategory


class Kind(StrEnum):
    SALES_CALLBACK = "sales_callback"
    CARE_CALL = "care_call"
    FIRST_SERVICE_SMS = "first_service_sms"
    FIRST_SERVICE_CALL = "first_service_call"
    SERVICE_CALLBACK = "service_callback"
    MAINTENANCE_CALL = "maintenance_call"
    BIRTHDAY_SMS = "birthday_sms"
    ANNIVERSARY_SMS = "anniversary_sms"
    HOLIDAY_SMS = "holiday_sms"
    CAMPAIGN_SMS = "campaign_sms"
    CAMPAIGN_CALL = "campaign_call"
    LAPSED_CALL = "lapsed_call"  # 流失预警: a win-back call once per lapse
    # The call desk's own follow-ups (crm.calls): not planned by the cadence.
    REMINDER_FALLBACK = "reminder_fallback"  # SMS after a reminder's calls went unanswered
    COMPLAINT_FOLLOWUP = "complaint_followup"  # progress call while a complaint is open
    COMPLAINT_CONFIRMATION = "complaint_confirmation"  # "is it solved?" after resolution


SMS_CATEGORY = {
    Kind.FIRST_SERVICE_SMS: SmsCategory.SERVICE,
    Kind.BIRTHDAY_SMS: SmsCategory.MARKETING,
    Kind.ANNIVERSARY_SMS: SmsCategory.MARKETING,
    Kind.HOLIDAY_SMS: SmsCategory.MARKETING,
    Kind.CAMPAIGN_SMS: SmsCategory.MARKETING,
    Kind.REMINDER_FALLBACK: SmsCategory.SERVICE,
}
GREETINGS = {Kind.BIRTHDAY_SMS, Kind.ANNIVERSARY_SMS, Kind.HOLIDAY_SMS}
