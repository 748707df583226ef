"""Phone numbers as the store stores them: E.164, whoever typed them and however.

The import reads them from a dealer's export, the call desk from what an agent typed,
the SMS opt-out from a reply; all three must find the same customer by the same number.
"""

from __future__ import annotations

import re

import phonenumbers


class BadValue(ValueError):
    """A value (a file's cell, a typed number) that cannot be read; the message says why."""


def parse_phone(value, region: str) -> str:
    """The number in E.164; spaces, dashes and +86/0086 prefixes are fine."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's number cell: 13812345678.0
    raw = None if value is None else str(value).strip() or None
    if raw is None:
        raise BadValue("missing phone")
    mobile = _CN_MOBILE.match(_SEPARATORS.sub("", raw)) if region == "CN" else None
    if mobile:
        # Most rows are plain mainland mobiles: skip the general parser (half the
        # import's time), but still let the library's metadata say if it is valid.
        parsed = phonenumbers.PhoneNumber(country_code=86, national_number=int(mobile[1]))
    else:
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            raise BadValue(f"invalid phone {raw!r}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise BadValue(f"invalid phone {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def takes_sms(e164: str) -> bool:
    """Whether the number can receive a text: a mobile, or a number that may be one.

    A fixed line (010-6552 9988, a family's or an office's) still takes the store's calls,
    but an SMS to it is paid for and never read.
    """
    if _CN_MOBILE_E164.match(e164):
        return True  # most numbers: a mainland mobile, known without the general parser
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) in _TEXTABLE


_TEXTABLE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_CN_MOBILE_E164 = re.compile(r"^\+861\d{10}$")
_SEPARATORS = re.compile(r"[\s\-()]")
_CN_MOBILE = re.compile(r"^(?:\+86|0086|86)?(1\d{10})$")


def readable_phone(e164: str | None) -> str:
    """A stored number as people write it: 138 0013 8000, 010 6552 9988, +1 415-555-0100."""
    if not e164:
        return ""
    if e164.startswith("+86") and len(e164) == 14 and e164[3] == "1":
        digits = e164[3:]
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
