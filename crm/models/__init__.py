"""Every table of the store, importable from one place (Alembic reads the metadata here)."""

from crm.models.access import AppSecret, LoginEvent, LoginResult, Role, User
from crm.models.audit import AuditEvent
from crm.models.cases import (
    Complaint,
    ComplaintCategory,
    ComplaintNote,
    ComplaintStatus,
    Inquiry,
    InquiryTopic,
)
from crm.models.fleet import ServiceType, ServiceVisit, Vehicle, VehicleOwnership
from crm.models.followup import (
    Campaign,
    Channel,
    ContactAttempt,
    DoNotCall,
    FollowupTask,
    Outcome,
    TaskStatus,
)
from crm.models.messaging import (
    SmsCategory,
    SmsDailyCount,
    SmsFingerprint,
    SmsInbound,
    SmsMessage,
    SmsStatus,
)
from crm.models.operations import JobLastRun, JobRun, PlanningRun, SchedulerLock, Worker
from crm.models.people import Agent, BirthdayCalendar, Customer, CustomerStatus, Gender, Store

__all__ = [
    "Agent",
    "AppSecret",
    "AuditEvent",
    "LoginEvent",
    "LoginResult",
    "Role",
    "User",
    "BirthdayCalendar",
    "Campaign",
    "Channel",
    "Complaint",
    "ComplaintCategory",
    "ComplaintNote",
    "ComplaintStatus",
    "ContactAttempt",
    "Customer",
    "CustomerStatus",
    "DoNotCall",
    "FollowupTask",
    "Gender",
    "Inquiry",
    "InquiryTopic",
    "Outcome",
    "JobLastRun",
    "JobRun",
    "PlanningRun",
    "SchedulerLock",
    "ServiceType",
    "ServiceVisit",
    "SmsCategory",
    "SmsDailyCount",
    "SmsFingerprint",
    "SmsInbound",
    "SmsMessage",
    "SmsStatus",
    "Store",
    "TaskStatus",
    "Vehicle",
    "VehicleOwnership",
    "Worker",
]
