"""The fixed calendar of the sample: as-of date, history start, quarters and
rating periods. Dates are handled as integer days since 1970-01-01 (numpy).

Example
-------
>>> to_date(day(AS_OF)) == AS_OF
True
>>> [to_date(d).isoformat() for d in PERIOD_ENDS[:2]]
['2023-12-31', '2024-06-30']
"""

from __future__ import annotations

import datetime as dt

import numpy as np

#: The last date in the data (the app's default as-of date T).
AS_OF = dt.date(2026, 9, 30)
#: Three years before the as-of date: hires, exits, movements, learning and
#: evidence are dated after it.
HISTORY_START = dt.date(2023, 9, 30)
#: Start of the equity window: the 12 months (S, T] before the as-of date.
WINDOW_START = dt.date(2025, 9, 30)

_EPOCH = dt.date(1970, 1, 1)


def day(d: dt.date) -> int:
    """Days since 1970-01-01.

    Example
    -------
    >>> day(dt.date(1970, 1, 2))
    1
    """
    return (d - _EPOCH).days


def to_date(days: int) -> dt.date:
    """Inverse of :func:`day`.

    Example
    -------
    >>> to_date(0)
    datetime.date(1970, 1, 1)
    """
    return _EPOCH + dt.timedelta(days=int(days))


def _quarter_ends() -> np.ndarray:
    ends = []
    for year in (2023, 2024, 2025, 2026):
        for month, dd in ((3, 31), (6, 30), (9, 30), (12, 31)):
            d = dt.date(year, month, dd)
            if HISTORY_START <= d <= AS_OF:
                ends.append(day(d))
    return np.array(ends, dtype=np.int64)


#: QUARTER_BOUNDS[q], QUARTER_BOUNDS[q + 1] delimit quarter q = (start, end].
QUARTER_BOUNDS: np.ndarray = _quarter_ends()
N_QUARTERS: int = len(QUARTER_BOUNDS) - 1
#: Quarter indices whose end is a semi-annual rating period end (06-30, 12-31).
RATING_QUARTERS: tuple[int, ...] = tuple(
    q for q in range(N_QUARTERS) if to_date(QUARTER_BOUNDS[q + 1]).month in (6, 12)
)
PERIOD_ENDS: np.ndarray = QUARTER_BOUNDS[[q + 1 for q in RATING_QUARTERS]]
#: First quarter inside the equity window (S, T].
WINDOW_FIRST_QUARTER: int = int(np.flatnonzero(day(WINDOW_START) == QUARTER_BOUNDS)[0])


def active_span(q: int, hire: np.ndarray, exit_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (inclusive) on which learning may be dated in quarter
    ``q`` for each employee: inside the quarter with a two-day margin at each end
    (so exposure windows of 365 days align with whole quarters) and within
    employment (``exit_`` is a large number for active employees).

    Example
    -------
    >>> lo, hi = active_span(0, np.array([0]), np.array([10**6]))
    >>> to_date(lo[0]), to_date(hi[0])
    (datetime.date(2023, 10, 2), datetime.date(2023, 12, 29))
    """
    lo = np.maximum(QUARTER_BOUNDS[q] + 2, hire)
    hi = np.minimum(QUARTER_BOUNDS[q + 1] - 2, exit_ - 1)
    return lo, hi
