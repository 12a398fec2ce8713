"""xAPI statements (as Learning Record Stores and LMSs export them) into learning_events rows.

Reads xAPI 1.0.x and 2.0 (IEEE 9274.1.1) statements, cmi5 included, from a JSON
array, one statement, an LRS ``StatementResult`` (``{"statements": [...]}``),
NDJSON (one statement per line) or a JavaScript file that only assigns such an
array (``var statements = [...];``). Each statement becomes one learning_events
row (text, like a CSV row, validated the same way afterwards) or a reject with a
specific reason; ``read = accepted + rejected`` always holds.

Mapping
-------
* actor → ``employee_id`` by the identity mapping (``identity.actor``: ``auto``,
  ``account``, ``mbox``, ``mbox_local``, ``mbox_sha1sum`` or ``openid``;
  ``identity.map`` translates the identifier; an identifier not in the map is
  "unknown actor"). A Group is rejected unless ``credit_group_members`` is set,
  then each identified member gets a row.
* verb.id → ``verb`` through the verb vocabulary (``data_sources.xapi_vocabulary``,
  case-insensitive, extended or overridden by ``[tables.learning_events.verbs]``).
* object.id → ``asset_id`` (an Activity; SubStatement, StatementRef, Agent and
  Group objects are rejected with that reason).
* timestamp → ``timestamp`` (normalised to UTC); without one, ``stored`` when
  ``stored_as_timestamp`` is set, otherwise a reject saying so.
* result.score → ``score``: ``scaled`` (−1 to 1), else ``raw`` rescaled within
  ``min``/``max``; result.duration (any ISO 8601 duration form) → ``duration_s``.
* ``id`` de-duplicates (the first statement with an id stays); a ``voided``
  statement removes its target (both become rejects naming each other).

The same pass collects the activities (for an assets table built from the
statements) and the actors (for employee ids taken from the statements).

Example
-------
>>> st = {"actor": {"mbox": "mailto:ana@example.com"},
...       "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
...       "object": {"id": "A1"}, "timestamp": "2026-01-05T10:00:00Z",
...       "result": {"score": {"scaled": 0.8}, "duration": "PT1M30S"}}
>>> rows, problems = statement_rows(st, XapiOptions())
>>> rows[0]["employee_id"], rows[0]["verb"], rows[0]["timestamp"], rows[0]["score"], rows[0]["duration_s"]
('ana', 'completed', '2026-01-05T10:00:00.000000+00:00', '0.8', '90.0')
>>> statement_rows({**st, "verb": "completed"}, XapiOptions())[1]
[('verb', 'completed', "verb is not an object with an id (got a string 'completed')")]
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

from data_sources.errors import ERR_RECURSION, ERR_UNREADABLE, ERR_XAPI_JSON, SourceError
from data_sources.files import ROW
from data_sources.xapi_vocabulary import IGNORE, VERB_SOURCES, VOIDED_VERB, vocabulary

COLUMNS = ("employee_id", "asset_id", "verb", "timestamp", "score", "duration_s")
REJECT_COLUMNS = (ROW, "column", "value", "reason")
ACTOR_MODES = ("auto", "account", "mbox", "mbox_local", "mbox_sha1sum", "openid")
#: Options of ``[tables.learning_events.xapi_options]`` and ``[tables.assets.xapi_options]``.
LEARNING_EVENT_OPTIONS = ("stored_as_timestamp", "credit_group_members", "builtin_verbs")
ASSET_OPTIONS = ("cluster",)
CLUSTER_SOURCES = ("activity_type", "course")
WHOLE = "(whole row)"
NO_TYPE = "(no activity type)"
NO_COURSE = "(no course)"

ERR_XAPI_JAVASCRIPT = (
    "{file}: this is JavaScript ({start}...), not JSON, and what it assigns is not a JSON array of "
    "statements ({detail}); export the statements as JSON"
)

REASON_BAD_JSON_LINE = "not valid JSON: {detail}"
REASON_TOO_DEEP = "not valid JSON: nested too deeply"
_DEEP = "arrays or objects nested thousands deep"
REASON_NOT_OBJECT = "not a statement: a JSON {kind}, not an object"
REASON_LONE_SUBSTATEMENT = "a SubStatement on its own is not a statement (it only appears as a statement's object)"
REASON_VERSION = "unsupported xAPI version {value!r} (1.0.x and 2.0.x are read)"
REASON_DUPLICATE_ID = "duplicate statement id {id} (first seen at {first})"
REASON_VOIDED = "voided by {label} (statement {id})"
REASON_VOIDING = "voiding statement: it removes statement {target}"
REASON_VOIDING_TARGET = "voiding statement without a StatementRef object naming the statement to void"
REASON_TYPE = "{path} is not {expected} (got {got})"
REASON_MISSING_FIELD = "xAPI statement has no {path}"
REASON_UNKNOWN_VERB = (
    "unknown verb: {iri} is in neither the built-in xAPI vocabulary nor [tables.learning_events.verbs]"
)
REASON_IGNORED_VERB = "not a learning event: verb {iri} ({who})"
REASON_GROUP = (
    "actor is a Group ({name}): a group statement credits no single employee "
    "(set credit_group_members = true in [tables.learning_events.xapi_options] to credit its members)"
)
REASON_GROUP_NO_MEMBERS = "actor is a Group ({name}) that lists no members to credit"
REASON_NO_IDENTIFIER = "actor has no mbox, mbox_sha1sum, openid or account"
REASON_NO_MODE_IDENTIFIER = "actor has no {mode} (identity.actor = {mode!r})"
REASON_UNKNOWN_ACTOR = "unknown actor: {ident} is not in the identity map"
REASON_OBJECT_KIND = "object is a {kind}, not an activity: {why}"
REASON_NO_TIMESTAMP = "xAPI statement has no timestamp"
REASON_NO_TIMESTAMP_STORED = (
    "xAPI statement has no timestamp; its stored time {stored} is used only when "
    "[tables.learning_events.xapi_options] stored_as_timestamp = true"
)
REASON_SCALED_RANGE = "result.score.scaled {value} is outside -1 to 1"
REASON_RAW_RANGE = "result.score.raw {raw} is outside min {min} to max {max}"
REASON_DURATION = "result.duration {value!r} is not an ISO 8601 duration"

NOTE_STATEMENT_RESULT = "{file}: read an LRS StatementResult; its 'more' link ({more}) was not followed"
NOTE_JAVASCRIPT = "{file}: JavaScript file; read the JSON array it assigns ({start}...)"
NOTE_RAW_WITHOUT_RANGE = (
    "{file}: {n} statement(s) give result.score.raw without min and max (or with max = min); their score is left empty"
)

_OBJECT_KINDS = {
    "SubStatement": "a statement about a statement, not a learning event",
    "StatementRef": "it points at another statement",
    "Agent": "the statement is about a person",
    "Group": "the statement is about a group of people",
}
_ACTIVITY_KINDS = (None, "Activity", "GroupActivity")  # GroupActivity: Open edX's multi-question problems
_VERSION = re.compile(r"^(1\.0|2\.0)(\.\d+)?$")
_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"^P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$"
)
_DURATION_ALT = re.compile(r"^P(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2}(?:[.,]\d+)?)$")
_JS_ASSIGNMENT = re.compile(
    r"^\s*(?:(?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=|export\s+default|module\.exports\s*=|[A-Za-z_$][\w$.]*\s*=)"
    r"\s*(?=[\[{])"
)
_DAY = 86400.0
#: Seconds per ISO 8601 unit; a year and a month are the mean Gregorian ones.
_UNIT_SECONDS = (365.2425 * _DAY, 30.436875 * _DAY, 7 * _DAY, _DAY, 3600.0, 60.0, 1.0)


@dataclass(frozen=True)
class XapiOptions:
    """How statements map: identity, verb vocabulary and the statement options.

    Example
    -------
    >>> XapiOptions.from_config({"actor": "account"}, {"http://x/verbs/Watched": "attempted"}, {}).verbs[
    ...     "http://x/verbs/watched"]
    'attempted'
    """

    identity: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    verbs: Mapping[str, str] = field(default_factory=vocabulary)
    stored_as_timestamp: bool = False
    credit_group_members: bool = False

    @cached_property
    def lower_map(self) -> Mapping[str, str]:
        """The identity map with lower-cased keys (for case-insensitive matches), built once."""
        return {str(k).lower(): str(v) for k, v in (self.identity.get("map") or {}).items()}

    @classmethod
    def from_config(
        cls, identity: Mapping[str, Any], verbs: Mapping[str, str], options: Mapping[str, Any]
    ) -> XapiOptions:
        """Options from a table's ``identity``, ``verbs`` and ``xapi_options`` tables."""
        return cls(
            identity=MappingProxyType(dict(identity)),
            verbs=vocabulary(verbs, builtin=bool(options.get("builtin_verbs", True))),
            stored_as_timestamp=bool(options.get("stored_as_timestamp", False)),
            credit_group_members=bool(options.get("credit_group_members", False)),
        )


@dataclass(frozen=True)
class StatementsRead:
    """What one xAPI file yields.

    Attributes
    ----------
    events : pl.DataFrame
        ``_row`` plus ``COLUMNS`` as text: the rows that go on to validation.
    rejects : pl.DataFrame
        ``_row, column, value, reason``: statements rejected before validation
        (a statement may have several entries).
    activities : pl.DataFrame
        One row per distinct activity of ``events``: ``_row, asset_id, title,
        activity_type, course, format``.
    actors : pl.DataFrame
        One row per distinct ``employee_id`` of ``events``: ``_row, employee_id,
        first_date`` (the date of its earliest statement).
    notes : tuple of str
    """

    events: pl.DataFrame
    rejects: pl.DataFrame
    activities: pl.DataFrame
    actors: pl.DataFrame
    notes: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        """Rows read: event rows plus distinct rejected rows."""
        return self.events.height + self.rejects.get_column(ROW).n_unique()


def iso_duration_seconds(text: str | None) -> float | None:
    """Seconds in an ISO 8601 duration; None when ``text`` is not one.

    Every form: ``PnYnMnWnDTnHnMnS`` with any of the parts, decimal fractions with
    a point or a comma (``PT1,5S``), and the alternative ``PYYYY-MM-DDThh:mm:ss``.
    A year is 365.2425 days and a month 30.436875 days (the Gregorian means).

    Example
    -------
    >>> iso_duration_seconds("PT1H0M0S"), iso_duration_seconds("P1DT30S"), iso_duration_seconds("PT03M15S")
    (3600.0, 86430.0, 195.0)
    >>> iso_duration_seconds("P2W"), iso_duration_seconds("PT0,5S"), iso_duration_seconds("P0000-00-01T00:00:10")
    (1209600.0, 0.5, 86410.0)
    >>> iso_duration_seconds("soon"), iso_duration_seconds("PT"), iso_duration_seconds("P")
    (None, None, None)
    """
    if not isinstance(text, str):
        return None
    t = text.strip().upper()
    m = _DURATION.match(t)
    if m and t not in ("P", "PT") and not t.endswith("T"):
        parts = [float(g.replace(",", ".")) if g else 0.0 for g in m.groups()]
        return sum(p * s for p, s in zip(parts, _UNIT_SECONDS, strict=True))
    alt = _DURATION_ALT.match(t)
    if alt:
        y, mo, d, h, mi, s = (float(g.replace(",", ".")) for g in alt.groups())
        return y * _UNIT_SECONDS[0] + mo * _UNIT_SECONDS[1] + d * _DAY + h * 3600 + mi * 60 + s
    return None


def iso_timestamp(text: str) -> str:
    """An ISO 8601 timestamp normalised to UTC (``...+00:00``); the text unchanged when not one.

    Example
    -------
    >>> iso_timestamp("2014-09-18T13:41:09.302-05:00"), iso_timestamp("next week")
    ('2014-09-18T18:41:09.302000+00:00', 'next week')
    """
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _kind(value: object) -> str:
    """JSON kind of a value, as words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"a string {value[:60]!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)[:80]


def _identifiers(agent: Mapping[str, Any]) -> tuple[dict[str, str | None], str | None]:
    """Every identifier form of one Agent (None where absent), or the problem with its account."""
    account = agent.get("account")
    if account is not None and not isinstance(account, Mapping):
        return {}, REASON_TYPE.format(path="actor.account", expected="an object", got=_kind(account))
    account = account or {}
    name, home, mbox = account.get("name"), account.get("homePage"), agent.get("mbox")
    sha1, openid = agent.get("mbox_sha1sum"), agent.get("openid")
    found: dict[str, str | None] = {
        "account": name if isinstance(name, str) and name else None,
        "mbox": mbox if isinstance(mbox, str) and mbox else None,
        "mbox_sha1sum": sha1 if isinstance(sha1, str) and sha1 else None,
        "openid": openid if isinstance(openid, str) and openid else None,
    }
    found["account_home"] = f"{home}|{name}" if found["account"] and isinstance(home, str) else None
    found["mbox_local"] = found["mbox"].removeprefix("mailto:").split("@")[0] if found["mbox"] else None
    return found, None


#: Identifier forms tried, in order, for ``identity.actor = "auto"`` (the first present is the id
#: without a map; with a map, the first form found in the map).
_AUTO_ORDER = ("account", "mbox_local", "mbox_sha1sum", "openid")
_AUTO_MAP_ORDER = ("account_home", "account", "mbox", "mbox_local", "mbox_sha1sum", "openid")


def _map_identity(agent: Mapping[str, Any], options: XapiOptions) -> tuple[str | None, str | None]:
    """employee_id of one Agent, or the problem: no identifier, or one missing from the map."""
    found, problem = _identifiers(agent)
    if problem is not None:
        return None, problem
    mode = options.identity.get("actor", "auto")
    order = _AUTO_ORDER if mode == "auto" else (mode,)
    primary = next((found[k] for k in order if found.get(k)), None)
    if primary is None:
        return None, REASON_NO_IDENTIFIER if mode == "auto" else REASON_NO_MODE_IDENTIFIER.format(mode=mode)
    mapping = options.identity.get("map")
    if not mapping:
        return primary, None
    if mode == "auto":
        candidates = [found[k] for k in _AUTO_MAP_ORDER]
    elif mode == "account":
        candidates = [found["account_home"], primary]
    else:
        candidates = [primary]
    lowered = options.lower_map
    for key in candidates:
        if key is None:
            continue
        if key in mapping:
            return str(mapping[key]), None
        if key.lower() in lowered:
            return lowered[key.lower()], None
    return None, REASON_UNKNOWN_ACTOR.format(ident=primary)


def _actors(actor: object, options: XapiOptions) -> tuple[list[str], list[tuple[str, str | None, str]]]:
    """employee ids credited by a statement's actor, or its problems."""
    if actor is None:
        return [], [("employee_id", None, REASON_MISSING_FIELD.format(path="actor"))]
    if not isinstance(actor, Mapping):
        return [], [
            ("employee_id", _text(actor), REASON_TYPE.format(path="actor", expected="an object", got=_kind(actor)))
        ]
    if actor.get("objectType") == "Group":
        name = actor.get("name") if isinstance(actor.get("name"), str) else "unnamed"
        members = actor.get("member")
        if not options.credit_group_members:
            return [], [("employee_id", name, REASON_GROUP.format(name=name))]
        if not isinstance(members, list) or not members:
            return [], [("employee_id", name, REASON_GROUP_NO_MEMBERS.format(name=name))]
        ids: list[str] = []
        problems: list[tuple[str, str | None, str]] = []
        for member in members:
            if not isinstance(member, Mapping):
                problems.append(
                    (
                        "employee_id",
                        _text(member),
                        REASON_TYPE.format(path="actor.member", expected="an object", got=_kind(member)),
                    )
                )
                continue
            emp, problem = _map_identity(member, options)
            if emp is None:
                problems.append(("employee_id", None, f"group member: {problem}"))
            else:
                ids.append(emp)
        return (ids, []) if ids and not problems else ([], problems)
    emp, problem = _map_identity(actor, options)
    if emp is None:
        return [], [("employee_id", None, problem or REASON_NO_IDENTIFIER)]
    return [emp], []


def _verb(verb: object, options: XapiOptions) -> tuple[str | None, tuple[str, str | None, str] | None]:
    if verb is None:
        return None, ("verb", None, REASON_MISSING_FIELD.format(path="verb"))
    if not isinstance(verb, Mapping):
        return None, ("verb", _text(verb), f"verb is not an object with an id (got {_kind(verb)})")
    iri = verb.get("id")
    if not isinstance(iri, str) or not iri.strip():
        return None, ("verb", _text(iri), REASON_TYPE.format(path="verb.id", expected="an IRI", got=_kind(iri)))
    mapped = options.verbs.get(iri.strip().lower())
    if mapped is None:
        return None, ("verb", iri, REASON_UNKNOWN_VERB.format(iri=iri))
    if mapped == IGNORE:
        who = VERB_SOURCES.get(iri.strip().lower(), "configured to be ignored")
        return None, ("verb", iri, REASON_IGNORED_VERB.format(iri=iri, who=who))
    return mapped, None


def _object(obj: object) -> tuple[Mapping[str, Any] | None, tuple[str, str | None, str] | None]:
    if obj is None:
        return None, ("asset_id", None, REASON_MISSING_FIELD.format(path="object"))
    if not isinstance(obj, Mapping):
        return None, ("asset_id", _text(obj), REASON_TYPE.format(path="object", expected="an object", got=_kind(obj)))
    kind = obj.get("objectType")
    if kind not in _ACTIVITY_KINDS:
        why = _OBJECT_KINDS.get(str(kind), "only activities are learning assets")
        return None, ("asset_id", _text(obj.get("id", kind)), REASON_OBJECT_KIND.format(kind=kind, why=why))
    oid = obj.get("id")
    if not isinstance(oid, str) or not oid.strip():
        problem = (
            REASON_MISSING_FIELD.format(path="object.id")
            if oid is None
            else REASON_TYPE.format(path="object.id", expected="an IRI", got=_kind(oid))
        )
        return None, ("asset_id", None if oid is None else _text(oid), problem)
    return obj, None


def _timestamp(
    statement: Mapping[str, Any], options: XapiOptions
) -> tuple[str | None, tuple[str, str | None, str] | None]:
    ts = statement.get("timestamp")
    if ts is None:
        stored = statement.get("stored")
        if isinstance(stored, str) and stored.strip():
            if options.stored_as_timestamp:
                return iso_timestamp(stored), None
            return None, ("timestamp", None, REASON_NO_TIMESTAMP_STORED.format(stored=stored))
        return None, ("timestamp", None, REASON_NO_TIMESTAMP)
    if not isinstance(ts, str):
        return None, ("timestamp", _text(ts), REASON_TYPE.format(path="timestamp", expected="a string", got=_kind(ts)))
    return iso_timestamp(ts), None


def _result(result: object) -> tuple[str | None, str | None, bool, list[tuple[str, str | None, str]]]:
    """(score, duration_s, raw-without-range, problems) of a statement's result."""
    if result is None:
        return None, None, False, []
    if not isinstance(result, Mapping):
        return (
            None,
            None,
            False,
            [("score", _text(result), REASON_TYPE.format(path="result", expected="an object", got=_kind(result)))],
        )
    problems: list[tuple[str, str | None, str]] = []
    score_text: str | None = None
    unranged = False
    score = result.get("score")
    if score is not None and not isinstance(score, Mapping):
        problems.append(
            ("score", _text(score), REASON_TYPE.format(path="result.score", expected="an object", got=_kind(score)))
        )
    elif isinstance(score, Mapping):
        scaled, raw, lo, hi = (score.get(k) for k in ("scaled", "raw", "min", "max"))
        for key, value in (("scaled", scaled), ("raw", raw), ("min", lo), ("max", hi)):
            if value is not None and not _is_number(value):
                problems.append(
                    (
                        "score",
                        _text(value),
                        REASON_TYPE.format(path=f"result.score.{key}", expected="a number", got=_kind(value)),
                    )
                )
        if not problems:
            if scaled is not None:
                if -1 <= scaled <= 1:
                    score_text = str(float(scaled))
                else:
                    problems.append(("score", str(scaled), REASON_SCALED_RANGE.format(value=scaled)))
            elif raw is not None:
                if lo is not None and hi is not None and hi > lo:
                    if lo <= raw <= hi:
                        score_text = str((raw - lo) / (hi - lo))
                    else:
                        problems.append(("score", str(raw), REASON_RAW_RANGE.format(raw=raw, min=lo, max=hi)))
                else:
                    unranged = True
    duration = result.get("duration")
    duration_text: str | None = None
    if duration is not None:
        seconds = iso_duration_seconds(duration) if isinstance(duration, str) else None
        if seconds is None:
            problems.append(("duration_s", _text(duration), REASON_DURATION.format(value=duration)))
        else:
            duration_text = str(seconds)
    return score_text, duration_text, unranged, problems


def statement_rows(
    statement: object, options: XapiOptions
) -> tuple[list[dict[str, str | None]], list[tuple[str, str | None, str]]]:
    """One statement as learning_events text rows (several for a credited Group), or its problems.

    Returns ``(rows, problems)``; exactly one of the two is non-empty. Each problem
    is ``(column, value, reason)``. Voiding and duplicate ids are handled by the
    caller (they need the whole file).

    Example
    -------
    >>> statement_rows({"actor": {"objectType": "Group", "member": []}, "verb": {"id": "x"}}, XapiOptions())[1][0][2]
    'actor is a Group (unnamed): a group statement credits no single employee (set credit_group_members = true in [tables.learning_events.xapi_options] to credit its members)'
    """
    rows, problems, _ = _statement(statement, options)
    return rows, problems


def _statement(
    statement: object, options: XapiOptions
) -> tuple[list[dict[str, str | None]], list[tuple[str, str | None, str]], bool]:
    """``statement_rows`` plus whether its score was a raw one without a range."""
    if not isinstance(statement, Mapping):
        kind = "null" if statement is None else _kind(statement).split(" ")[1]
        return [], [(WHOLE, None, REASON_NOT_OBJECT.format(kind=kind))], False
    if statement.get("objectType") == "SubStatement":
        return [], [(WHOLE, "SubStatement", REASON_LONE_SUBSTATEMENT)], False
    problems: list[tuple[str, str | None, str]] = []
    version = statement.get("version")
    if version is not None and not (isinstance(version, str) and _VERSION.match(version.strip())):
        problems.append(("version", _text(version), REASON_VERSION.format(value=version)))
    employees, actor_problems = _actors(statement.get("actor"), options)
    problems += actor_problems
    verb, verb_problem = _verb(statement.get("verb"), options)
    obj, object_problem = _object(statement.get("object"))
    timestamp, ts_problem = _timestamp(statement, options)
    score, duration, unranged, result_problems = _result(statement.get("result"))
    problems += [p for p in (verb_problem, object_problem, ts_problem) if p is not None] + result_problems
    if problems:
        return [], problems, False
    assert obj is not None
    asset = str(obj["id"]).strip()
    return (
        [
            {
                "employee_id": emp,
                "asset_id": asset,
                "verb": verb,
                "timestamp": timestamp,
                "score": score,
                "duration_s": duration,
            }
            for emp in employees
        ],
        [],
        unranged,
    )


def _language_text(value: object) -> str | None:
    """A language map's text (en-US, en, en-GB, else the first); a plain string as it is."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping) and value:
        for key in ("en-US", "en", "en-GB"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
        first = next(iter(value.values()))
        return first.strip() if isinstance(first, str) and first.strip() else None
    return None


def _last_segment(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


def _is_course(activity: Mapping[str, Any]) -> bool:
    definition = activity.get("definition")
    kind = definition.get("type") if isinstance(definition, Mapping) else None
    return isinstance(kind, str) and kind.rstrip("/").lower().endswith("/activities/course")


def _activity_facts(statement: Mapping[str, Any]) -> dict[str, str | None]:
    """Title, activity type and parent course of a statement's object (best effort, never raises)."""
    obj = statement["object"]
    definition = obj.get("definition") if isinstance(obj.get("definition"), Mapping) else {}
    kind = definition.get("type") if isinstance(definition.get("type"), str) else None
    course: str | None = None
    if _is_course(obj):
        course = _language_text(definition.get("name")) or str(obj["id"])
    else:
        context = statement.get("context")
        acts = context.get("contextActivities") if isinstance(context, Mapping) else None
        if isinstance(acts, Mapping):
            for key in ("parent", "grouping", "other"):
                group = acts.get(key)
                group = [group] if isinstance(group, Mapping) else group if isinstance(group, list) else []
                for act in group:
                    if isinstance(act, Mapping) and _is_course(act) and isinstance(act.get("id"), str):
                        d = act.get("definition")
                        course = _language_text(d.get("name") if isinstance(d, Mapping) else None) or act["id"]
                        break
                if course:
                    break
    title = _language_text(definition.get("name")) or _language_text(definition.get("description"))
    return {
        "title": title or _last_segment(str(obj["id"])),
        "activity_type": _last_segment(kind) if kind else NO_TYPE,
        "course": course or NO_COURSE,
        "format": _last_segment(kind) if kind else None,
    }


def _load_json(text: str, path: Path) -> tuple[list[tuple[str, Any]], list[tuple[str, str]], list[str]]:
    """(labelled statements, lines that are not JSON, notes) of a file's text."""
    stripped = text.strip()
    if not stripped:
        return [], [], []
    notes: list[str] = []
    try:
        doc = json.loads(stripped)
    except RecursionError as exc:
        if len([ln for ln in stripped.splitlines() if ln.strip()]) == 1:
            raise SourceError(ERR_RECURSION.format(file=path, detail=_DEEP)) from exc
        return _load_ndjson(text, path, None)
    except json.JSONDecodeError as whole_error:
        js = _JS_ASSIGNMENT.match(stripped)
        if js:
            start = stripped[: js.end()].strip()
            inner = stripped[js.end() :].rstrip().removesuffix(";").rstrip()
            try:
                doc = json.loads(inner)
            except (json.JSONDecodeError, RecursionError) as exc:
                detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                raise SourceError(ERR_XAPI_JAVASCRIPT.format(file=path, start=start[:40], detail=detail)) from exc
            notes.append(NOTE_JAVASCRIPT.format(file=path.name, start=start[:40]))
        else:
            return _load_ndjson(text, path, whole_error)
    if isinstance(doc, Mapping) and isinstance(doc.get("statements"), list):
        if doc.get("more"):
            notes.append(NOTE_STATEMENT_RESULT.format(file=path.name, more=doc["more"]))
        doc = doc["statements"]
    if isinstance(doc, list):
        return [(f"statement {i}", st) for i, st in enumerate(doc, start=1)], [], notes
    return [("statement 1", doc)], [], notes  # one statement (a scalar is then rejected as not a statement)


def _load_ndjson(
    text: str, path: Path, whole_error: json.JSONDecodeError | None
) -> tuple[list[tuple[str, Any]], list[tuple[str, str]], list[str]]:
    statements: list[tuple[str, Any]] = []
    bad: list[tuple[str, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            statements.append((f"line {n}", json.loads(line)))
        except json.JSONDecodeError as exc:
            bad.append((f"line {n}", REASON_BAD_JSON_LINE.format(detail=exc.msg)))
        except RecursionError:
            bad.append((f"line {n}", REASON_TOO_DEEP))
    if statements and not any(isinstance(st, Mapping) for _, st in statements):
        raise SourceError(ERR_XAPI_JSON.format(file=path, detail="no line holds a JSON object"))
    if not statements:
        if whole_error is None:
            raise SourceError(ERR_RECURSION.format(file=path, detail=f"{_DEEP} on every line"))
        detail = f"line {whole_error.lineno}, column {whole_error.colno}: {whole_error.msg}"
        raise SourceError(ERR_XAPI_JSON.format(file=path, detail=detail))
    return statements, bad, []


def read_xapi(path: Path, options: XapiOptions | None = None) -> StatementsRead:
    """Read a file of xAPI statements into learning_events text rows, rejects, activities and actors.

    Parameters
    ----------
    path : Path
        JSON array, one statement, an LRS StatementResult, NDJSON, or a
        JavaScript file assigning a JSON array.
    options : XapiOptions, optional
        Identity mapping, vocabulary and statement options (default: the
        built-in vocabulary, ``identity.actor = "auto"``).

    Returns
    -------
    StatementsRead

    Raises
    ------
    SourceError
        When the file as a whole is not usable (unreadable, not JSON at all,
        nested too deeply, JavaScript that does not assign a JSON array).
    """
    opts = options or XapiOptions()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(ERR_UNREADABLE.format(file=path, kind="xAPI JSON", detail=exc)) from exc
    statements, bad_lines, notes = _load_json(text, path)

    rejects: list[tuple[str, str, str | None, str]] = [(label, WHOLE, None, reason) for label, reason in bad_lines]
    first_seen: dict[str, str] = {}
    voided: dict[str, tuple[str, str]] = {}  # target id -> (label, id) of the voiding statement
    parsed: list[tuple[str, str | None, Any]] = []
    for label, st in statements:
        sid = st.get("id") if isinstance(st, Mapping) and isinstance(st.get("id"), str) else None
        if sid is not None:
            key = sid.strip().lower()
            if key in first_seen:
                rejects.append((label, "id", sid, REASON_DUPLICATE_ID.format(id=sid, first=first_seen[key])))
                continue
            first_seen[key] = label
        verb = st.get("verb") if isinstance(st, Mapping) else None
        if isinstance(verb, Mapping) and isinstance(verb.get("id"), str) and verb["id"].strip().lower() == VOIDED_VERB:
            target = st.get("object")
            if (
                isinstance(target, Mapping)
                and target.get("objectType") == "StatementRef"
                and isinstance(target.get("id"), str)
            ):
                voided[target["id"].strip().lower()] = (label, sid or "without id")
                rejects.append((label, "verb", verb["id"], REASON_VOIDING.format(target=target["id"])))
            else:
                rejects.append((label, "verb", verb["id"], REASON_VOIDING_TARGET))
            continue
        parsed.append((label, sid, st))

    rows: list[dict[str, str | None]] = []
    labels: list[str] = []
    facts: dict[str, dict[str, str | None]] = {}
    unranged = 0
    for label, sid, st in parsed:
        if sid is not None and sid.strip().lower() in voided:
            by_label, by_id = voided[sid.strip().lower()]
            rejects.append((label, "id", sid, REASON_VOIDED.format(label=by_label, id=by_id)))
            continue
        out, problems, no_range = _statement(st, opts)
        if problems:
            rejects.extend((label, col, val, reason) for col, val, reason in problems)
            continue
        unranged += no_range
        for k, row in enumerate(out, start=1):
            rows.append(row)
            labels.append(label if len(out) == 1 else f"{label} member {k}")
            asset = row["asset_id"]
            if asset is not None and asset not in facts:
                facts[asset] = {"_row": label, **_activity_facts(st)}
    if unranged:
        notes.append(NOTE_RAW_WITHOUT_RANGE.format(file=path.name, n=unranged))

    events = (
        pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS})
        .with_columns(pl.Series(ROW, labels, dtype=pl.String), pl.lit(None, dtype=pl.String).alias("count"))
        .select([ROW, *COLUMNS, "count"])
    )
    activities = pl.DataFrame(
        [{"asset_id": a, **f} for a, f in facts.items()],
        schema={
            "asset_id": pl.String,
            ROW: pl.String,
            "title": pl.String,
            "activity_type": pl.String,
            "course": pl.String,
            "format": pl.String,
        },
    ).select(ROW, "asset_id", "title", "activity_type", "course", "format")
    actors = (
        events.select(
            ROW,
            "employee_id",
            pl.col("timestamp").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("first_date"),
        )
        .group_by("employee_id", maintain_order=True)
        .agg(pl.col(ROW).first(), pl.col("first_date").min())
        .select(ROW, "employee_id", pl.col("first_date").cast(pl.String))
    )
    reject_frame = pl.DataFrame(rejects, schema={c: pl.String for c in REJECT_COLUMNS}, orient="row")
    return StatementsRead(events, reject_frame, activities, actors, tuple(notes))
