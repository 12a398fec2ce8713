"""A person's demonstrated competencies as Open Badges 3.0 credentials, straight from a loaded bundle.

Glue between ``metrics.proficiency`` (the levels) and
``data_sources.ob3_export`` (the credentials): what a page or the CLI calls.

Example
-------
>>> import datetime as dt
>>> from data_sources.loader import load_source
>>> from data_sources.ob3_export import Issuer
>>> bundle = load_source("tests/fixtures/tiny", as_of=dt.date(2026, 9, 30))  # doctest: +SKIP
>>> person_credentials(bundle, "E2", dt.date(2026, 9, 30), Issuer("https://hr.example", "HR"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from data_sources.bundle import DataBundle
from data_sources.ob3_export import Issuer, export_credentials
from metrics.config import DEFAULT_CONFIG, ProficiencyConfig
from metrics.proficiency import proficiency


def person_credentials(
    bundle: DataBundle,
    employee_id: str,
    as_of: dt.date,
    issuer: Issuer,
    *,
    config: ProficiencyConfig = DEFAULT_CONFIG.proficiency,
    subject_id: str | None = None,
    signing_key: Any = None,
) -> list[dict[str, Any]]:
    """OB 3.0 AchievementCredentials for ``employee_id``'s demonstrated competencies at ``as_of``.

    Empty when the bundle has no evidence or the person demonstrates nothing.
    ``signing_key``: ``data_sources.ob3_export.signing_key_from_env()`` (None = unsigned).
    """
    evidence = bundle.get("evidence")
    if evidence is None:
        return []
    levels = proficiency(evidence.filter(evidence["employee_id"] == employee_id), as_of, config)
    return export_credentials(
        levels,
        bundle.tables["competencies"],
        employee_id,
        issuer=issuer,
        subject_id=subject_id,
        signing_key=signing_key,
    )


__all__ = ["person_credentials"]
