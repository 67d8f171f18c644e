"""The official days shipped with the add-on (its data file, loaded into Odoo's working
calendars) agree with the State Council schedules as the ``chinese-calendar`` package knows
them — the package the reports use for files and the add-on refreshes from."""

from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree

import chinese_calendar
import pytest

DATA = Path(__file__).resolve().parent.parent / "addon_complaints" / "data" / "complaint_calendar_day_data.xml"


def shipped_days() -> dict[date, tuple[str, bool]]:
    days = {}
    for record in ElementTree.parse(DATA).getroot().iter("record"):
        fields = {field.get("name"): (field.text or field.get("eval") or "") for field in record}
        days[date.fromisoformat(fields["date"])] = (
            fields["day_type"], fields.get("is_provisional", "False") in ("True", "1"))
    return days


def library_years() -> list[int]:
    years = {day.year for day in chinese_calendar.holidays}
    return sorted(year for year in years if year >= min(d.year for d in shipped_days()))


@pytest.mark.parametrize("year", library_years())
def test_shipped_year_equals_the_library(year):
    shipped = {day: kind for day, (kind, provisional) in shipped_days().items()
               if day.year == year and not provisional}
    expected = {}
    day = date(year, 1, 1)
    while day.year == year:
        if chinese_calendar.is_holiday(day) and day.weekday() < 5:
            expected[day] = "holiday"
        elif chinese_calendar.is_workday(day) and day.weekday() >= 5:
            expected[day] = "workday"
        day += timedelta(days=1)
    # Weekend days inside a holiday are shipped too (named in the calendar); compare the days
    # that change the weekly pattern.
    changing = {day: kind for day, kind in shipped.items()
                if (kind == "holiday") == (day.weekday() < 5)}
    assert changing == expected


def test_provisional_years_are_only_those_the_library_does_not_know():
    known = {day.year for day in chinese_calendar.holidays}
    provisional = {day.year for day, (_kind, flag) in shipped_days().items() if flag}
    assert not provisional & known
