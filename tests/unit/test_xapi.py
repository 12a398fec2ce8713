"""xAPI statements as LRSs and LMSs write them: vocabulary, actors, statements, wrong shapes, real exports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from data_sources.config import ALLOWED_ROOTS_ENV, SourceConfig
from data_sources.errors import SourceError
from data_sources.loader import load_source
from data_sources.xapi import XapiOptions, iso_duration_seconds, read_xapi
from data_sources.xapi_vocabulary import BUILTIN_VERBS, IGNORE, contract_verb
from tests.unit.realdata import realdata_dir

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REAL = realdata_dir()
XAPI = REAL / "xapi_examples"
XAPI_REAL = REAL / "xapi_real"
needs_real = pytest.mark.skipif(not XAPI_REAL.is_dir(), reason="../shared/realdata is absent")
needs_examples = pytest.mark.skipif(not XAPI.is_dir(), reason="../shared/realdata is absent")

ADL = "http://adlnet.gov/expapi/verbs/"
TS = "2026-01-05T10:00:00Z"


def _st(**over) -> dict:
    """A valid statement by ana (mbox) completing A1, with fields replaced by ``over``."""
    base = {
        "id": "s-1",
        "actor": {"mbox": "mailto:ana@example.com"},
        "verb": {"id": ADL + "completed"},
        "object": {"id": "A1"},
        "timestamp": TS,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def _read(tmp_path: Path, statements, options: XapiOptions | None = None, name: str = "lrs.json"):
    f = tmp_path / name
    f.write_text(statements if isinstance(statements, str) else json.dumps(statements))
    return read_xapi(f, options)


def _reasons(read) -> list[tuple[str, str, str]]:
    return read.rejects.select("_row", "column", "reason").rows()


# --- verbs -------------------------------------------------------------------------------------------------


def test_vocabulary_matches_iris_case_insensitively_and_maps_onto_the_contract():
    assert contract_verb(ADL + "Completed") == "completed"
    assert contract_verb("HTTP://ADLNET.GOV/EXPAPI/VERBS/INITIALIZED") == "launched"
    assert contract_verb("https://w3id.org/xapi/adl/verbs/satisfied") == "completed"
    assert contract_verb(ADL + "mastered") == "passed"
    assert contract_verb("https://w3id.org/xapi/video/verbs/seeked") == "attempted"
    assert contract_verb("https://w3id.org/xapi/adl/verbs/waived") == IGNORE
    assert set(BUILTIN_VERBS.values()) == {"launched", "attempted", "completed", "passed", "failed", IGNORE}
    assert all(iri == iri.lower() for iri in BUILTIN_VERBS)


def test_configuration_extends_and_overrides_the_vocabulary_and_unknown_verbs_name_the_iri(tmp_path):
    statements = [
        _st(id="a", verb={"id": "http://example.com/verbs/Watched"}),
        _st(id="b", verb={"id": "https://w3id.org/xapi/adl/verbs/waived"}),
        _st(id="c", verb={"id": "http://example.com/verbs/danced"}),
        _st(id="d", verb={"id": ADL + "Experienced"}),
    ]
    as_is = _read(tmp_path, statements)
    assert as_is.events["verb"].to_list() == ["attempted"]
    assert _reasons(as_is) == [
        (
            "statement 1",
            "verb",
            "unknown verb: http://example.com/verbs/Watched is in neither the built-in xAPI "
            "vocabulary nor [tables.learning_events.verbs]",
        ),
        (
            "statement 2",
            "verb",
            "not a learning event: verb https://w3id.org/xapi/adl/verbs/waived "
            "(cmi5 (requirement met without taking the activity))",
        ),
        (
            "statement 3",
            "verb",
            "unknown verb: http://example.com/verbs/danced is in neither the built-in xAPI "
            "vocabulary nor [tables.learning_events.verbs]",
        ),
    ]
    configured = XapiOptions.from_config(
        {},
        {"http://example.com/verbs/watched": "attempted", "https://w3id.org/xapi/adl/verbs/waived": "completed"},
        {},
    )
    read = _read(tmp_path, statements, configured)
    assert read.events["verb"].to_list() == ["attempted", "completed", "attempted"]
    assert read.rejects["_row"].to_list() == ["statement 3"]
    bare = _read(tmp_path, statements, XapiOptions.from_config({}, {}, {"builtin_verbs": False}))
    assert bare.events.height == 0 and bare.read == 4


# --- actors ------------------------------------------------------------------------------------------------


def test_all_four_actor_identifiers_go_through_the_identity_map(tmp_path):
    statements = [
        _st(id="1", actor={"mbox": "mailto:Ana@Example.com"}),
        _st(id="2", actor={"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}),
        _st(id="3", actor={"openid": "http://openid.example.org/12345"}),
        _st(id="4", actor={"objectType": "Agent", "account": {"homePage": "http://lms.a", "name": "u7"}}),
        _st(id="5", actor={"account": {"homePage": "http://lms.b", "name": "u7"}}),
        _st(id="6", actor={"account": {"homePage": "http://lms.a", "name": "u9"}}),
    ]
    identity = {
        "actor": "auto",
        "map": {
            "ana": "E1",
            "ebd31e95054c018b10727ccffd2ef2ec3a016ee9": "E2",
            "http://openid.example.org/12345": "E3",
            "http://lms.a|u7": "E4",
            "u7": "E5",
        },
    }
    read = _read(tmp_path, statements, XapiOptions.from_config(identity, {}, {}))
    assert read.events["employee_id"].to_list() == ["E1", "E2", "E3", "E4", "E5"]
    assert _reasons(read) == [("statement 6", "employee_id", "unknown actor: u9 is not in the identity map")]
    by_mbox = _read(tmp_path, statements[:2], XapiOptions.from_config({"actor": "mbox"}, {}, {}))
    assert by_mbox.events["employee_id"].to_list() == ["mailto:Ana@Example.com"]
    assert _reasons(by_mbox) == [("statement 2", "employee_id", "actor has no mbox (identity.actor = 'mbox')")]


def test_auto_identity_finds_whichever_identifier_form_the_map_uses(tmp_path):
    statements = [
        _st(id="1", actor={"mbox": "mailto:ana@example.com", "account": {"homePage": "h", "name": "x1"}}),
        _st(id="2", actor={"mbox": "mailto:BO@example.com"}),
    ]
    identity = {"map": {"mailto:ana@example.com": "E1", "mailto:bo@example.com": "E2"}}
    read = _read(tmp_path, statements, XapiOptions.from_config(identity, {}, {}))
    assert read.events["employee_id"].to_list() == ["E1", "E2"]


def test_groups_are_rejected_unless_configuration_credits_members(tmp_path):
    group = {
        "objectType": "Group",
        "name": "Team PB",
        "member": [{"mbox": "mailto:ana@example.com"}, {"account": {"homePage": "h", "name": "bo"}}],
    }
    statements = [_st(actor=group)]
    rejected = _read(tmp_path, statements)
    assert rejected.events.height == 0 and rejected.read == 1
    assert rejected.rejects["reason"][0].startswith("actor is a Group (Team PB): a group statement credits no single")
    credited = _read(tmp_path, statements, XapiOptions.from_config({}, {}, {"credit_group_members": True}))
    assert credited.events.select("_row", "employee_id").rows() == [
        ("statement 1 member 1", "ana"),
        ("statement 1 member 2", "bo"),
    ]


# --- statements --------------------------------------------------------------------------------------------


def test_ids_deduplicate_and_voiding_removes_the_target_wherever_it_is(tmp_path):
    statements = [
        _st(id="s-1"),
        _st(id="S-1", object={"id": "A2"}),
        {
            "id": "v-1",
            "actor": {"mbox": "mailto:admin@x"},
            "verb": {"id": ADL + "voided"},
            "object": {"objectType": "StatementRef", "id": "s-3"},
            "timestamp": TS,
        },
        _st(id="s-3", object={"id": "A3"}),
        {"id": "v-2", "actor": {"mbox": "mailto:admin@x"}, "verb": {"id": ADL + "voided"}, "object": {"id": "x"}},
    ]
    read = _read(tmp_path, statements)
    assert read.events.select("_row", "asset_id").rows() == [("statement 1", "A1")]
    assert _reasons(read) == [
        ("statement 2", "id", "duplicate statement id S-1 (first seen at statement 1)"),
        ("statement 3", "verb", "voiding statement: it removes statement s-3"),
        ("statement 5", "verb", "voiding statement without a StatementRef object naming the statement to void"),
        ("statement 4", "id", "voided by statement 3 (statement v-1)"),
    ]
    assert read.read == 5


def test_stored_stands_in_for_timestamp_only_when_allowed(tmp_path):
    statements = [_st(timestamp=None) | {"stored": "2026-01-06T08:00:00.5+01:00"}, _st(id="n", timestamp=None)]
    strict = _read(tmp_path, statements)
    assert _reasons(strict) == [
        (
            "statement 1",
            "timestamp",
            "xAPI statement has no timestamp; its stored time 2026-01-06T08:00:00.5+01:00 "
            "is used only when [tables.learning_events.xapi_options] stored_as_timestamp = true",
        ),
        ("statement 2", "timestamp", "xAPI statement has no timestamp"),
    ]
    allowed = _read(tmp_path, statements, XapiOptions.from_config({}, {}, {"stored_as_timestamp": True}))
    assert allowed.events["timestamp"].to_list() == ["2026-01-06T07:00:00.500000+00:00"]


def test_scores_from_scaled_else_raw_within_min_max_and_negative_scaled_allowed(tmp_path):
    statements = [
        _st(id="1", result={"score": {"scaled": 0.5, "raw": 99, "min": 0, "max": 100}}),
        _st(id="2", result={"score": {"raw": 3, "min": 1, "max": 5}}),
        _st(id="3", result={"score": {"scaled": -0.25}}),
        _st(id="4", result={"score": {"raw": 7}}),
        _st(id="5", result={"score": {"raw": 7, "min": 0, "max": 5}}),
        _st(id="6", result={"score": {"scaled": 1.5}}),
    ]
    read = _read(tmp_path, statements)
    assert read.events["score"].to_list() == ["0.5", "0.5", "-0.25", None]
    assert _reasons(read) == [
        ("statement 5", "score", "result.score.raw 7 is outside min 0 to max 5"),
        ("statement 6", "score", "result.score.scaled 1.5 is outside -1 to 1"),
    ]
    assert read.notes == (
        "lrs.json: 1 statement(s) give result.score.raw without min and max (or with max = min); "
        "their score is left empty",
    )


def test_every_iso_8601_duration_form():
    assert iso_duration_seconds("PT03M15S") == 195.0
    assert iso_duration_seconds("PT1.5H") == 5400.0
    assert iso_duration_seconds("pt0,25s") == 0.25
    assert iso_duration_seconds("P1W") == 604800.0
    assert iso_duration_seconds("P1D") == 86400.0
    assert iso_duration_seconds("P1Y") == 365.2425 * 86400
    assert iso_duration_seconds("P1M") == 30.436875 * 86400
    assert iso_duration_seconds("P1MT1M") == 30.436875 * 86400 + 60
    assert iso_duration_seconds("P0000-00-00T01:02:03") == 3723.0
    assert iso_duration_seconds("P00000000T010203.5") == 3723.5
    assert [iso_duration_seconds(t) for t in ("", "P", "PT", "P1DT", "1H", "PT-5S", "P1H")] == [None] * 7


def test_substatement_and_statementref_objects_and_bad_durations_are_rejected_with_that_reason(tmp_path):
    statements = [
        _st(id="1", object={"objectType": "SubStatement", "actor": {}, "verb": {}, "object": {}}),
        _st(id="2", object={"objectType": "StatementRef", "id": "s-9"}),
        _st(id="3", object={"objectType": "Agent", "mbox": "mailto:bo@x"}),
        _st(id="4", object={"objectType": "GroupActivity", "id": "P1"}),
        _st(id="5", result={"duration": "about an hour"}),
    ]
    read = _read(tmp_path, statements)
    assert read.events["asset_id"].to_list() == ["P1"]
    assert _reasons(read) == [
        (
            "statement 1",
            "asset_id",
            "object is a SubStatement, not an activity: a statement about a statement, not a learning event",
        ),
        ("statement 2", "asset_id", "object is a StatementRef, not an activity: it points at another statement"),
        ("statement 3", "asset_id", "object is a Agent, not an activity: the statement is about a person"),
        ("statement 5", "duration_s", "result.duration 'about an hour' is not an ISO 8601 duration"),
    ]


def test_xapi_versions_1_0_x_and_2_0_0_are_read(tmp_path):
    versions = ["1.0.0", "1.0.1", "1.0.3", "1.0", "2.0.0", "0.95", 1.0]
    read = _read(tmp_path, [_st(id=str(i), version=v) for i, v in enumerate(versions)])
    assert read.events.height == 5
    assert [r[2] for r in _reasons(read)] == [
        "unsupported xAPI version '0.95' (1.0.x and 2.0.x are read)",
        "unsupported xAPI version 1.0 (1.0.x and 2.0.x are read)",
    ]


# --- wrong shapes never crash ------------------------------------------------------------------------------


def test_wrong_json_types_become_rejects_naming_the_field(tmp_path):
    statements = [
        _st(id="1", verb="completed"),
        _st(id="2", result=7),
        _st(id="3", actor={"account": "ana"}),
        _st(id="4", result={"score": 0.9}),
        _st(id="5", object={"id": ["A1", "A2"]}),
        _st(id="6", timestamp=1767607200),
        _st(id="7", result={"score": {"scaled": "high"}}),
        "just a string",
        [1, 2],
    ]
    read = _read(tmp_path, statements)
    assert read.events.height == 0 and read.read == 9
    assert _reasons(read) == [
        ("statement 1", "verb", "verb is not an object with an id (got a string 'completed')"),
        ("statement 2", "score", "result is not an object (got a number)"),
        ("statement 3", "employee_id", "actor.account is not an object (got a string 'ana')"),
        ("statement 4", "score", "result.score is not an object (got a number)"),
        ("statement 5", "asset_id", "object.id is not an IRI (got a list)"),
        ("statement 6", "timestamp", "timestamp is not a string (got a number)"),
        ("statement 7", "score", "result.score.scaled is not a number (got a string 'high')"),
        ("statement 8", "(whole row)", "not a statement: a JSON string, not an object"),
        ("statement 9", "(whole row)", "not a statement: a JSON list, not an object"),
    ]


def test_a_100000_deep_array_is_one_clear_error_or_one_rejected_line(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(SourceError) as err:
        _read(tmp_path, deep)
    assert str(err.value).endswith("lrs.json: JSON nested too deeply to read (arrays or objects nested thousands deep)")
    read = _read(tmp_path, json.dumps(_st()) + "\n" + deep + "\n", name="lrs.ndjson")
    assert read.events.height == 1
    assert _reasons(read) == [("line 2", "(whole row)", "not valid JSON: nested too deeply")]


def test_javascript_wrapped_export_is_read_or_one_clear_error(tmp_path):
    body = json.dumps([_st(id="1"), _st(id="2", object={"id": "A2"})], indent=1)
    read = _read(tmp_path, f"var statements = {body};\n", name="data.js")
    assert read.events["asset_id"].to_list() == ["A1", "A2"]
    assert read.notes == ("data.js: JavaScript file; read the JSON array it assigns (var statements =...)",)
    with pytest.raises(SourceError) as err:
        _read(tmp_path, "ADL.statements = [{actor: 'x'}];", name="bad.js")
    assert "bad.js: this is JavaScript (ADL.statements =...), not JSON" in str(err.value)
    # the shape of ADL's xAPI-Dashboard lrs-data.js: a decompression library, then compressed statements
    compressed = (
        'var LZString={_keyStr:"ABC",f:function(e){return e}};\n'
        "window.statements = JSON.parse(LZString.decompressFromBase64('NobwRAbgpgTg'));\n"
    )
    with pytest.raises(SourceError) as err:
        _read(tmp_path, compressed, name="lrs-data.js")
    assert str(err.value).endswith(
        "lrs-data.js: this is JavaScript (var LZString=...), not JSON, and what it assigns is not a JSON array of "
        "statements (Expecting property name enclosed in double quotes); export the statements as JSON"
    )


def test_lrs_statement_result_is_read(tmp_path):
    read = _read(tmp_path, {"statements": [_st()], "more": "/xapi/statements?more=abc"})
    assert read.events.height == 1
    assert read.notes == (
        "lrs.json: read an LRS StatementResult; its 'more' link (/xapi/statements?more=abc) was not followed",
    )


# --- loading: read = accepted + rejected, assets and people from statements --------------------------------


def _lrs_only(tmp_path: Path, statements, **extra) -> SourceConfig:
    (tmp_path / "lrs.json").write_text(json.dumps(statements))
    tables = {
        "learning_events": {"xapi": "lrs.json", **extra.get("events", {})},
        "assets": {"xapi": "lrs.json", **extra.get("assets", {})},
        "employees": {"xapi": "lrs.json"},
    }
    return SourceConfig.from_dict({"tables": tables}, base_dir=tmp_path)


def test_an_lrs_export_alone_gives_employees_assets_and_events(tmp_path):
    course = {
        "id": "http://lms/course/1",
        "objectType": "Activity",
        "definition": {"name": {"en-US": "Demo course"}, "type": "http://adlnet.gov/expapi/activities/course"},
    }
    video = {
        "id": "http://lms/video/7",
        "definition": {"name": {"fr": "Vidéo"}, "type": "https://w3id.org/xapi/video/activity-type/video"},
    }
    statements = [
        _st(id="1", object=video, context={"contextActivities": {"parent": [course]}}, timestamp="2025-03-01T10:00Z"),
        _st(id="2", object=course, verb={"id": ADL + "passed"}, result={"score": {"scaled": -0.5}}),
        _st(
            id="3",
            actor={"account": {"homePage": "h", "name": "bo"}},
            verb={"id": ADL + "voided"},
            object={"objectType": "StatementRef", "id": "2"},
        ),
        _st(
            id="4",
            actor={"account": {"homePage": "h", "name": "bo"}},
            object={"id": "http://lms/x"},
            verb={"id": ADL + "launched"},
        ),
    ]
    bundle = load_source(
        _lrs_only(tmp_path, statements, assets={"xapi_options": {"cluster": "course"}}), as_of=dt.date(2026, 6, 30)
    )
    counts = {t.table: (t.read, t.accepted, t.rejected) for t in bundle.report.tables}
    assert counts == {
        "roles": (1, 1, 0),
        "competencies": (0, 0, 0),
        "employees": (2, 2, 0),
        "role_requirements": (0, 0, 0),
        "assets": (2, 2, 0),
        "learning_events": (4, 2, 2),
    }
    assert bundle.get("employees").select("employee_id", "role_id", "team", "hire_date").rows() == [
        ("ana", "learner", "learners", dt.date(2025, 3, 1)),
        ("bo", "learner", "learners", dt.date(2026, 1, 5)),
    ]
    assert bundle.get("assets").select("asset_id", "title", "cluster", "format").rows() == [
        ("http://lms/video/7", "Vidéo", "Demo course", "video"),
        ("http://lms/x", "x", "(no course)", None),
    ]
    assert bundle.get("learning_events").select("employee_id", "verb", "count").rows() == [
        ("ana", "completed", 1.0),
        ("bo", "launched", 1.0),
    ]


def test_negative_scaled_score_is_accepted_by_the_contract(tmp_path):
    bundle = load_source(_lrs_only(tmp_path, [_st(result={"score": {"scaled": -0.5}})]), as_of=dt.date(2026, 6, 30))
    assert bundle.get("learning_events")["score"].to_list() == [-0.5]


def test_bad_xapi_settings_are_one_line_configuration_errors():
    for tables, message in [
        (
            {"learning_events": {"verbs": {"http://x/v": "watched"}}},
            '[tables.learning_events.verbs] "http://x/v" = '
            "'watched' is not allowed: expected one of launched, attempted, completed, passed, failed, ignore",
        ),
        ({"learning_events": {"xapi_options": {"stored_as_timestmp": True}}}, "unknown key 'stored_as_timestmp'"),
        (
            {"learning_events": {"identity": {"actor": "email"}}},
            "[tables.learning_events.identity] actor must be one of auto, account, mbox, mbox_local, mbox_sha1sum, openid",
        ),
        ({"assets": {"xapi_options": {"cluster": "topic"}}}, "expected one of activity_type, course"),
        ({"performance": {"xapi": "lrs.json"}}, "only learning_events, assets, employees can be read from xAPI"),
    ]:
        with pytest.raises(ValueError) as err:
            SourceConfig.from_dict({"tables": tables})
        assert message in str(err.value)


# --- the ADL specification's examples and real exports -----------------------------------------------------


@needs_examples
def test_spec_examples_map_as_the_contract_says():
    read = read_xapi(XAPI / "adl_xAPI-Data_AppA_2_attempted_scaled_score.json")
    assert read.rejects.height == 0
    assert read.events.row(0, named=True) == {
        "_row": "statement 1",
        "employee_id": "example.learner",
        "asset_id": "http://example.adlnet.gov/xapi/example/simpleCBT",
        "verb": "attempted",
        "timestamp": "2015-12-18T12:17:00.000000+00:00",
        "score": "0.95",
        "duration_s": "1234.0",
        "count": None,
    }
    sub = read_xapi(XAPI / "adl_xAPI-Data_AppB_4_substatement.json")
    assert _reasons(sub) == [
        (
            "statement 1",
            "(whole row)",
            "a SubStatement on its own is not a statement (it only appears as a statement's object)",
        )
    ]
    with pytest.raises(SourceError) as err:
        read_xapi(XAPI / "adl_xAPI-Data_AppA_1_simple_statement_AS_PRINTED.txt")
    assert "line 22" in str(err.value) and "Invalid control character" in str(err.value)


@needs_examples
def test_xapi_learning_events_load_with_identity_mapping_and_rejects(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "tiny", src)
    (src / "assets.csv").write_text(
        "asset_id,title,cluster\n"
        "http://example.adlnet.gov/xapi/example/simpleCBT,Simple CBT,Basics\n"
        "https://www.youtube.com/watch?v=xh4kIiH3Sm8,Video,Basics\n"
    )
    shutil.copy(XAPI / "adl_spec_statements.jsonl", src / "statements.jsonl")
    cfg = SourceConfig.from_dict(
        {
            "tables": {
                "learning_events": {
                    "xapi": "statements.jsonl",
                    "identity": {
                        "actor": "mbox",
                        "map": {"mailto:example.learner@adlnet.gov": "E2", "mailto:example@example.com": "E3"},
                    },
                }
            }
        },
        base_dir=src,
    )
    bundle = load_source(cfg, as_of=dt.date(2026, 1, 1))
    events = bundle.get("learning_events")
    assert events.select("employee_id", "verb", "score", "duration_s").rows() == [
        ("E2", "attempted", 0.95, 1234.0),
        ("E3", "attempted", None, None),
    ]
    report = {t.table: t for t in bundle.report.tables}["learning_events"]
    assert (report.read, report.accepted, report.rejected) == (3, 2, 1)
    reasons = bundle.report.rejects.filter(table="learning_events").select("row", "column", "reason").rows()
    assert reasons == [
        (
            "line 2",
            "employee_id",
            "actor is a Group (Team PB): a group statement credits no single "
            "employee (set credit_group_members = true in [tables.learning_events.xapi_options] to "
            "credit its members)",
        )
    ]


@pytest.fixture
def allow_the_real_data(monkeypatch):
    """The real exports sit outside the configurations' folders: the operator allows them (TR_ALLOWED_ROOTS)."""
    # the examples' relative paths assume shared/ beside the checkout; a worktree finds it one level up
    besides = Path(__file__).resolve().parents[3] / "shared"
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, os.pathsep.join([str(REAL), str(besides)]))


def _real_files() -> list[Path]:
    if not XAPI_REAL.is_dir():
        return []
    return sorted(XAPI_REAL.rglob("*.json"))


#: Open edX forum moderation and unenrolment verbs: known, not learning events.
_NOT_LEARNING = ("posted", "edited", "deleted", "reported", "unreported", "voted", "unregistered")


@needs_real
@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.name)
def test_every_real_statement_is_accepted_or_rejected_with_a_specific_reason(tmp_path, path, allow_the_real_data):
    cfg = SourceConfig.from_dict(
        {"tables": {t: {"xapi": str(path)} for t in ("learning_events", "assets", "employees")}}, base_dir=tmp_path
    )
    bundle = load_source(cfg, as_of=dt.date(2026, 1, 1))
    report = {t.table: t for t in bundle.report.tables}["learning_events"]
    doc = json.loads(path.read_text())
    assert report.read == (len(doc) if isinstance(doc, list) else 1)
    assert report.read == report.accepted + report.rejected
    rejects = bundle.report.rejects
    assert rejects.filter(pl.col("table") != "learning_events").height == 0
    for reason in rejects["reason"]:
        assert reason != "missing required value"
        assert (
            reason.startswith("not a learning event: verb ") and reason.split("/")[-1].split(" ")[0] in (_NOT_LEARNING)
        ) or reason == "xAPI statement has no object.id", reason


@needs_real
def test_real_exports_totals():
    """Open edX: 77 files; the forum moderation and unenrolment statements and one statement without an
    object id are the only rejects. ADL's dashboard sample: all 88 (capitalised .../verbs/Completed)."""
    totals = {"read": 0, "events": 0}
    for path in sorted((XAPI_REAL / "openedx_erb").glob("*.json")):
        read = read_xapi(path)
        totals["read"] += read.read
        totals["events"] += read.events.height
    assert totals["read"] - totals["events"] == 17 + 1 + 1
    dashboard = read_xapi(XAPI_REAL / "adl_dashboard_video_statements.json")
    assert (dashboard.read, dashboard.events.height) == (88, 88)
    assert set(dashboard.events["verb"]) == {"completed"}


@needs_real
def test_the_lrs_only_example_configuration_loads_the_adl_dashboard_export(allow_the_real_data):
    from tests.unit.realdata import ROOT

    cfg = SourceConfig.from_toml(ROOT / "docs" / "examples" / "adl_xapi_dashboard.toml")
    cfg = dataclasses.replace(cfg, path=XAPI_REAL)  # the example's relative path assumes the main checkout
    bundle = load_source(cfg)
    counts = {t.table: (t.read, t.accepted, t.rejected) for t in bundle.report.tables}
    assert counts["learning_events"] == (88, 88, 0)
    assert counts["assets"] == (4, 4, 0)
    employees = bundle.get("employees")
    assert counts["employees"] == (employees.height, employees.height, 0)
    assert set(employees["team"]) == {"Video course"}
    assert bundle.get("assets")["title"].to_list()[0] == "New Army 2010 PT"
