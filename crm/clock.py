"""The only place that reads the clock: now, in UTC. A store's today comes from its context
(`crm.actions.context.StoreContext`), on the store's own zone.

For simulations only (the workers' day in tests/test_workers.py, `make bench`): when
CRM_CLOCK_OFFSET_FILE names a file, the seconds it holds are added to the real clock,
so running processes can be moved to another hour together while time still flows. The
file is read again whenever it changes; nothing else in the product looks at it.
"""

import os
from datetime import UTC, datetime, timedelta

OFFSET_FILE = "CRM_CLOCK_OFFSET_FILE"
_offset: tuple[int, timedelta] = (-1, timedelta(0))  # (the file's mtime_ns, its offset)


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    now = datetime.now(UTC)
    path = os.environ.get(OFFSET_FILE)
    return now + _offset_in(path) if path else now


def _offset_in(path: str) -> timedelta:
    global _offset
    try:
        changed = os.stat(path).st_mtime_ns
        if changed != _offset[0]:
            with open(path, encoding="ascii") as stream:
                _offset = (changed, timedelta(seconds=float(stream.read().strip() or 0)))
    except (OSError, ValueError):
        return _offset[1]  # being rewritten: the offset read last still holds
    return _offset[1]


def set_offset(path: str, moment: datetime) -> None:
    """Write the offset that makes the real clock read `moment` now (for simulations)."""
    seconds = (moment - datetime.now(UTC)).total_seconds()
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="ascii") as stream:
        stream.write(f"{seconds:.6f}\n")
    os.replace(temporary, path)
