"""Password hashing with Argon2 (pwdlib), and what a password must be."""

from __future__ import annotations

from functools import cache

from crm.errors import UsageError

MIN_LENGTH = 8
MAX_LENGTH = 128  # Argon2 takes any length; a bound keeps a login from costing a megabyte


@cache
def _hasher():
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(),))


def check_password(password: str) -> str:
    """The password, when it is long enough to be worth hashing."""
    if len(password) < MIN_LENGTH:
        raise UsageError(f"a password needs at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise UsageError(f"a password has at most {MAX_LENGTH} characters", field="password")
    return password


def hash_password(password: str) -> str:
    return _hasher().hash(check_password(password))


def verify(password: str, hashed: str) -> bool:
    return len(password) <= MAX_LENGTH and _hasher().verify(password, hashed)


# Verifying against this costs what a real verify costs, so an unknown name answers as slowly
# as a wrong password and does not tell which names exist.
def waste_time(password: str) -> None:
    verify(password[:MAX_LENGTH], _dummy())


@cache
def _dummy() -> str:
    return _hasher().hash("not a password of anyone")
