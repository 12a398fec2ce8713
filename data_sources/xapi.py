"""xAPI statements (as a Learning Record Store exports them) into raw learning_events rows.

Mapping, as the data contract says: actor (account name or mbox) → employee_id
through the configured identity mapping; object.id → asset_id; verb.id's last
path segment → verb (``initialized``/``launched`` → launched, ``experienced`` →
attempted); result.score.scaled → score; result.duration (ISO 8601) →
duration_s. A statement without a timestamp takes the LRS's ``stored`` time.

The rows come out as text, like a CSV, and go through the same validation, so
a statement with an unknown verb or a missing actor is a reject with a reason.

Example
-------
>>> st = {"actor": {"mbox": "mailto:ana@example.com"},
...       "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
...       "object": {"id": "A1"}, "timestamp": "2026-01-05T10:00:00Z",
...       "result": {"score": {"scaled": 0.8}, "duration": "PT1M30S"}}
>>> statement_row(st, {})
{'employee_id': 'ana', 'asset_id': 'A1', 'verb': 'completed', 'timestamp': '2026-01-05T10:00:00Z', 'score': '0.8', 'duration_s': '90.0'}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from data_sources.errors import ERR_RECURSION, ERR_UNREADABLE, ERR_XAPI_JSON, SourceError
from data_sources.files import ROW

VERB_ALIASES = {"initialized": "launched", "launched": "launched", "experienced": "attempted"}
COLUMNS = ("employee_id", "asset_id", "verb", "timestamp", "score", "duration_s")
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
REASON_BAD_JSON_LINE = "not valid JSON: {detail}"


def iso_duration_seconds(text: str | None) -> float | None:
    """Seconds in an ISO 8601 duration such as ``PT1H2M3.5S``; None when not one.

    Example
    -------
    >>> iso_duration_seconds("PT1H0M0S"), iso_duration_seconds("P1DT30S"), iso_duration_seconds("soon")
    (3600.0, 86430.0, None)
    """
    if not text:
        return None
    m = _DURATION.match(text.strip())
    if not m or text.strip() in ("P", "PT"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def verb_name(verb_id: str | None) -> str | None:
    """The contract verb for an xAPI verb IRI (last path segment, aliases applied).

    Example
    -------
    >>> verb_name("http://adlnet.gov/expapi/verbs/initialized"), verb_name("http://x.org/verbs#passed")
    ('launched', 'passed')
    """
    if not verb_id:
        return None
    last = re.split(r"[/#]", verb_id.rstrip("/"))[-1]
    return VERB_ALIASES.get(last, last)


def actor_id(actor: Mapping[str, Any] | None, identity: Mapping[str, Any]) -> str | None:
    """employee_id for an xAPI actor under the identity mapping.

    ``identity.actor`` chooses the identifier: ``"account"`` (account.name),
    ``"mbox"`` (the full mailto IRI) or ``"mbox_local"`` (the part before @,
    the default when there is no account); ``identity.map`` translates it.
    """
    if not isinstance(actor, Mapping):
        return None
    mode = identity.get("actor", "auto")
    account = _mapping(actor.get("account"))
    mbox = actor.get("mbox")
    if mode == "account" or (mode == "auto" and account.get("name")):
        ident = _text(account.get("name"))
    elif mode == "mbox":
        ident = mbox
    else:
        ident = mbox.removeprefix("mailto:").split("@")[0] if isinstance(mbox, str) else None
    mapping = identity.get("map")
    if ident is not None and mapping:
        return _text(mapping.get(ident))
    return _text(ident)


def _mapping(value: object) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a malformed field maps to nothing)."""
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    """A JSON scalar as text (numbers too); objects, arrays and null are not text.

    Example
    -------
    >>> _text("A1"), _text(7), _text(True), _text([1]), _text(None)
    ('A1', '7', 'true', None, None)
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def statement_row(statement: Mapping[str, Any], identity: Mapping[str, Any]) -> dict[str, str | None]:
    """One statement as a text row of learning_events (unmappable fields are None)."""
    result = _mapping(statement.get("result"))
    score = _text(_mapping(result.get("score")).get("scaled"))
    raw_duration = result.get("duration")
    duration = iso_duration_seconds(raw_duration) if isinstance(raw_duration, str) else None
    verb_id = _mapping(statement.get("verb")).get("id")
    return {
        "employee_id": actor_id(statement.get("actor"), identity),
        "asset_id": _text(_mapping(statement.get("object")).get("id")),
        "verb": verb_name(verb_id) if isinstance(verb_id, str) else None,
        "timestamp": _text(statement.get("timestamp")) or _text(statement.get("stored")),
        "score": score,
        "duration_s": None if duration is None else str(duration),
    }


def _loads(text: str, path: Path) -> Any:
    """``json.loads``; a document nested deeper than Python can follow is one ``SourceError``."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise SourceError(ERR_RECURSION.format(file=path, detail="arrays or objects nested thousands deep")) from exc


def read_xapi(path: Path, identity: Mapping[str, Any] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read a JSON array (or one statement) or NDJSON file of xAPI statements.

    Returns the raw learning_events rows (text, with ``_row``) and the lines that
    were not JSON at all (``_row``, ``reason``), which the loader reports as rejects.
    A file that is neither valid JSON nor NDJSON raises ``SourceError``.
    """
    identity = identity or {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(ERR_UNREADABLE.format(file=path, kind="xAPI JSON", detail=exc)) from exc
    rows: list[dict[str, str | None]] = []
    labels: list[str] = []
    bad: list[tuple[str, str]] = []
    stripped = text.strip()
    try:
        doc = _loads(stripped, path) if stripped else []
        statements = doc if isinstance(doc, list) else [doc]
        for i, st in enumerate(statements, start=1):
            labels.append(f"statement {i}")
            rows.append(statement_row(st if isinstance(st, Mapping) else {}, identity))
    except json.JSONDecodeError as whole_error:
        lines = text.splitlines()
        parsed_any = False
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                st = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append((f"line {n}", REASON_BAD_JSON_LINE.format(detail=exc.msg)))
                continue
            except RecursionError:
                bad.append((f"line {n}", REASON_BAD_JSON_LINE.format(detail="nested too deeply")))
                continue
            if not isinstance(st, Mapping):
                bad.append((f"line {n}", REASON_BAD_JSON_LINE.format(detail="not a JSON object")))
                continue
            parsed_any = True
            labels.append(f"line {n}")
            rows.append(statement_row(st, identity))
        if not parsed_any:
            detail = f"line {whole_error.lineno}, column {whole_error.colno}: {whole_error.msg}"
            raise SourceError(ERR_XAPI_JSON.format(file=path, detail=detail)) from whole_error
    frame = (
        pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS})
        .with_columns(pl.Series(ROW, labels, dtype=pl.String))
        .select([ROW, *COLUMNS])
    )
    not_json = pl.DataFrame(bad, schema={ROW: pl.String, "reason": pl.String}, orient="row")
    return frame, not_json
