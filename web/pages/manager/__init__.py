"""The manager's pages: a manager works their own store, an admin every store (`?store=`).

Every router here is mounted behind `require_manager`, so an agent is refused (403) at
the door and no view checks the role again.
"""

from web.pages.manager import (
    agents,
    audit,
    campaigns,
    complaints,
    dashboard,
    imports,
    reports,
    sms,
    users,
)

PAGES = (dashboard, agents, complaints, imports, campaigns, sms, reports, users, audit)
