"""Benchmark: compute 10,000 periods over the seeded 2004-2026 calendar.

python bench/calendar_periods.py [count]
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.calendar import HolidayCalendar, compute_period
from app.domain.calendar.seed import seed_years


def main(count: int = 10_000) -> None:
    t0 = time.perf_counter()
    years = seed_years()
    t1 = time.perf_counter()
    cal = HolidayCalendar.from_years(years, revision=1)
    t2 = time.perf_counter()
    jobs = [
        (
            date(2004, 1, 1) + timedelta(days=(i * 7919) % 8000),
            1 + i % 30,
            "working_day" if i % 2 else "calendar_day",
            i % 5 == 0,
        )
        for i in range(count)
    ]
    t3 = time.perf_counter()
    for start, length, unit, count_start_day in jobs:
        compute_period(cal, start, length, unit, count_start_day)
    t4 = time.perf_counter()
    print(f"seed from chinese_calendar: {1000 * (t1 - t0):.1f} ms")
    print(f"build HolidayCalendar ({len(cal.loaded_years)} years): {1000 * (t2 - t1):.1f} ms")
    print(f"{count} periods: {1000 * (t4 - t3):.1f} ms ({1e6 * (t4 - t3) / count:.2f} µs each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
