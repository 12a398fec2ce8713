"""xAPI statements from the ADL specification's appendices, through the contract's mapping."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from data_sources.config import SourceConfig
from data_sources.errors import SourceError
from data_sources.loader import load_source
from data_sources.xapi import read_xapi

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
XAPI = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "xapi_examples"
pytestmark = pytest.mark.skipif(not XAPI.is_dir(), reason="../shared/realdata is absent")


def test_statement_fields_map_as_the_contract_says():
    raw, bad = read_xapi(XAPI / "adl_xAPI-Data_AppA_2_attempted_scaled_score.json")
    assert bad.height == 0
    assert raw.row(0, named=True) == {
        "_row": "statement 1",
        "employee_id": "example.learner",  # mbox local part (no account)
        "asset_id": "http://example.adlnet.gov/xapi/example/simpleCBT",
        "verb": "attempted",
        "timestamp": "2015-12-18T12:17:00+00:00",
        "score": "0.95",
        "duration_s": "1234.0",  # PT1234S
    }


def test_long_statement_duration_and_group_actor():
    raw, _ = read_xapi(XAPI / "adl_xAPI-Data_AppA_3_long_statement.json")
    row = raw.row(0, named=True)
    assert row["duration_s"] == "3600.0"  # PT1H0M0S
    assert row["verb"] == "attended"


def test_statement_as_printed_is_rejected_with_a_clear_message():
    with pytest.raises(SourceError) as err:
        read_xapi(XAPI / "adl_xAPI-Data_AppA_1_simple_statement_AS_PRINTED.txt")
    message = str(err.value)
    assert "adl_xAPI-Data_AppA_1_simple_statement_AS_PRINTED.txt: not valid xAPI JSON" in message
    assert "line 22" in message and "Invalid control character" in message


def test_ndjson_with_a_broken_line_rejects_that_line_only(tmp_path):
    lines = (XAPI / "adl_spec_statements.jsonl").read_text().splitlines()
    f = tmp_path / "lrs.ndjson"
    f.write_text("\n".join([lines[0], '{"actor": ', lines[2]]) + "\n")
    raw, bad = read_xapi(f)
    assert raw["_row"].to_list() == ["line 1", "line 3"]
    assert bad.rows() == [("line 2", "not valid JSON: Expecting value")]


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
    # the group actor (Team PB) is not in the identity map: its employee_id is missing;
    # its verb 'attended' is not in the contract's vocabulary
    reasons = set(bundle.report.rejects.filter(table="learning_events").select("row", "column", "reason").rows())
    assert ("line 2", "employee_id", "missing required value") in reasons
    assert any(r[1] == "verb" and r[2].startswith("not an allowed value: 'attended'") for r in reasons)
