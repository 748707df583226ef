"""Writes lunar_months.csv: every lunar month of 1900-2099, its first solar day and length.

Run once, by hand, when the table needs remaking:

    pip install sxtwl==2.0.7 cnlunar==0.2.5 lunar_python==1.4.8
    python tests/data/make_lunar_months.py > tests/data/lunar_months.csv

The table is sxtwl's (the C++ 寿星天文历, computed from astronomy: new moons and solar
terms), and a second, independent source must agree on every month or nothing is
written: cnlunar, built from the Hong Kong Observatory's published tables, from 1901-02-19
where its data starts; lunar_python (6tail's port, astronomy again) for the year 1900.
lunar_python is also compared everywhere and its disagreements are printed: it differs
only on lunar 2057/9/1 (2057-09-28: the new moon falls within a minute of Beijing
midnight), where sxtwl, the Observatory, zhdate and lunardate say the 28th (borax, too,
has that month a day late). The product runs zhdate, none of these.
"""

from __future__ import annotations

import datetime
import sys

import cnlunar
import sxtwl
from lunar_python import LunarYear, Solar

FIRST, LAST = 1900, 2099


def from_sxtwl() -> list[tuple[int, int, int, str, int]]:
    months: list[list] = []
    day = sxtwl.fromSolar(1900, 1, 31)
    while True:
        if day.getLunarDay() == 1:
            year = day.getLunarYear(True)  # True: the year turns at 正月初一, not at 立春
            if year > LAST:
                break
            months.append([year, day.getLunarMonth(), int(day.isLunarLeap()), solar_of(day), 0])
        months[-1][4] += 1
        day = day.after(1)
    return [(y, m, leap, first.isoformat(), n) for y, m, leap, first, n in months]


def solar_of(day: sxtwl.Day) -> datetime.date:
    return datetime.date(day.getSolarYear(), day.getSolarMonth(), day.getSolarDay())


def compare_with_lunar_python(months, fatal_before: datetime.date) -> None:
    for year, month, leap, first, length in months:
        found = Solar.fromYmd(*map(int, first.split("-"))).getLunar()
        agrees = (found.getYear(), abs(found.getMonth()), found.getDay()) == (year, month, 1)
        agrees = agrees and LunarYear.fromYear(year).getMonth(-month if leap else month)
        if not agrees or agrees.getDayCount() != length:
            assert datetime.date.fromisoformat(first) >= fatal_before, (year, month, first)
            print(f"lunar_python differs on {year}/{month} (from {first})", file=sys.stderr)


def check_with_cnlunar(months) -> datetime.date:
    start_of_data = datetime.date(1901, 2, 19)
    checked = 0
    for year, month, leap, first, length in months:
        start = datetime.date.fromisoformat(first)
        if start < start_of_data:
            continue
        for offset in (0, length - 1):
            moment = datetime.datetime.combine(
                start + datetime.timedelta(days=offset), datetime.time()
            )
            day = cnlunar.Lunar(moment, godType="8char")
            found = (day.lunarYear, day.lunarMonth, day.lunarDay, int(day.isLunarLeapMonth))
            assert found == (year, month, offset + 1, leap), (first, offset, found)
        checked += 1
    print(f"cnlunar agrees on all {checked} months from {start_of_data}", file=sys.stderr)
    return start_of_data


def main() -> None:
    months = from_sxtwl()
    observatory_from = check_with_cnlunar(months)
    compare_with_lunar_python(months, fatal_before=observatory_from)
    print("year,month,leap,first_day,days")
    for row in months:
        print(",".join(map(str, row)))


if __name__ == "__main__":
    main()
