"""What a user does, one function each: the core every front end calls.

Each action takes a `StoreContext` (or the `App` for work across stores) and plain
input, owns its transaction, returns plain data and raises `CrmError`s that name the
field they are about. The CLI (`commands/`), the jobs (`jobs/`) and the web pages only
parse input, call one action and show its result.

- `context`: the store an action works on, with its own today and now.
- `setup`: the database, stores, agents, demo data and DMS imports.
- `planning`: planning a day, the picture of the day, planning status, campaigns.
- `calls`: the day's list, one call's history, logging a call, assignment.
- `customers`: find a customer, their history, add, edit, mark lost or deceased.
- `cases`: complaints and inquiries.
- `audit`: the audit trail of accountable changes.
- `sms`: templates, previews, opt-outs, sending, reconciling, syncing, the outbox.
- `reports`: the month-end summary and the figures' definitions.
"""

from crm.vocabulary.cells import formula_safe  # noqa: E402 - for the front ends' CSV writers
from crm.vocabulary.phones import readable_phone  # noqa: E402 - phones as people write them

__all__ = ["formula_safe", "readable_phone"]
