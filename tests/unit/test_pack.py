"""Committee packs (ui/pack.py): built from the sample organisation, read back as text and as a workbook.

The PDF is read with pdftotext and its pages rendered with pdftoppm (poppler-utils,
installed by .ci/run); the renders go to artifacts/pack/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from data_sources.loader import load_source
from metrics.bench import common_gaps
from metrics.config import DEFAULT_CONFIG, EquityConfig
from metrics.explain import explain_readiness
from metrics.readiness import readiness_gaps
from metrics.run import run_metrics, with_equity_attributes
from ui import pack

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "default"
ARTIFACTS = ROOT / "artifacts" / "pack"
ATTRIBUTES = ["gender", "gender × disability"]
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_sample = pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="sample organisation not generated")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed")
RAW_TOKENS = re.compile(r"\b(None|True|False|nan|null|role_id|ready_now|ready_soon|n_gaps|no_successors)\b")


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def render(data: bytes, name: str, pages: int = 2) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    cmd = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", str(pages), str(path), str(ARTIFACTS / name)]
    subprocess.run(cmd, check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(book: openpyxl.Workbook, name: str) -> list[tuple]:
    return list(book[name].iter_rows(values_only=True))


@pytest.fixture(scope="module")
def sample():
    as_of = dt.date.fromisoformat(json.loads((SAMPLE / "truth.json").read_text())["as_of"])
    bundle = load_source(SAMPLE, as_of=as_of)
    config = with_equity_attributes(DEFAULT_CONFIG, bundle.equity_attributes)
    result = run_metrics(bundle.tables, as_of=as_of, config=config, families=("equity", "bench"))
    meta = pack.PackMeta("Sample organisation", "bundled sample", result.as_of, filters=("Teams: Data Science",))
    return bundle, config, result, meta


@pytest.fixture(scope="module")
def equity(sample):
    _, config, result, meta = sample
    equity_pack = pack.equity_pack_from_result(meta, result.equity, ATTRIBUTES, config.equity, result.pipeline_equity)
    return equity_pack, pack.equity_pdf(equity_pack), pack.equity_excel(equity_pack)


@pytest.fixture(scope="module")
def succession(sample):
    bundle, config, result, meta = sample
    t = bundle.tables
    gaps = readiness_gaps(t["employees"], t["roles"], t["role_requirements"], result.proficiency, result.as_of)
    critical = result.bench.filter(pl.col("critical"))["role_id"].to_list()
    next_role = result.readiness.filter((pl.col("relation") == "next") & pl.col("target_role_id").is_in(critical))
    people = explain_readiness(next_role, gaps, t["roles"], t["competencies"], config.readiness).join(
        t["employees"].select("employee_id", "team"), on="employee_id"
    )
    candidates = {
        r: people.filter(pl.col("target_role_id") == r).sort("readiness", descending=True).head(5) for r in critical
    }
    full = pack.succession_pack_from_frames(
        meta, result.bench, t["roles"], config.readiness, common_gaps(gaps), t["competencies"], candidates
    )
    return full, common_gaps(gaps), pack.succession_pdf(full), pack.succession_excel(full)


# -- equity -----------------------------------------------------------------------------------


@needs_sample
@needs_poppler
def test_equity_pdf_states_date_window_filters_config_and_reference(sample, equity):
    _, config, result, _ = sample
    text = " ".join(pdf_text(equity[1]).split())
    assert "as of 30 Sep 2026" in text
    assert "Promotions after 30 Sep 2025 up to 30 Sep 2026" in text
    assert "Teams: Data Science" in text and "Equity is computed for the whole organisation" in text
    assert f"{config.equity.min_group_size} people" in text
    assert f"{config.equity.four_fifths:g} (impact ratio below it is flagged)" in text
    assert f"{config.equity.alpha:g} (Fisher exact test)" in text
    assert "Groups of fewer than 10 people show no counts, rates or tests." in text
    for attribute in ATTRIBUTES:
        assert f"Reference group ({attribute.replace('_', ' ')}) {result.equity.reference_groups[attribute]}" in text


@needs_sample
@needs_poppler
def test_equity_pdf_lists_every_group_and_no_count_for_suppressed_ones(sample, equity):
    _, _, result, _ = sample
    lines = pdf_text(equity[1]).splitlines()
    table = result.equity.table.filter(pl.col("attribute").is_in(ATTRIBUTES))
    hidden = table.filter(pl.col("suppressed"))
    assert hidden.height >= 3  # the sample's gender × disability has small cells
    for row in table.iter_rows(named=True):
        found = [line for line in lines if line.strip().startswith(row["group"] + " ") or line.strip() == row["group"]]
        assert found, row["group"]
        if row["suppressed"]:
            rest = [line.strip()[len(row["group"]) :].strip() for line in found]
            # the groups table and the pipeline table: the label in words ("suppressed" where a row is hidden
            # so that another cannot be worked out), never a number
            assert rest and set(rest) <= {"fewer than 10", "suppressed"}, (row["group"], rest)
        else:
            assert any(f"{row['eligible']:,}" in line for line in found)


@needs_sample
@needs_poppler
def test_equity_pdf_values_read_as_people_read_them(equity):
    text = pdf_text(equity[1])
    assert not RAW_TOKENS.search(text)
    assert not re.search(r"\d\.\d{3,}%", text)  # no 32.29%-style precision
    assert not re.search(r"\de-\d", text)  # no 2e-255
    assert "< 0.001" in text  # the sample's Woman × No p-value is tiny
    assert "Findings for the committee" in text and "1. The " in text


@needs_sample
@needs_poppler
def test_equity_pdf_pages_render(equity):
    pngs = render(equity[1], "equity", pages=3)
    assert len(pngs) == 3
    assert all(p.stat().st_size > 5_000 for p in pngs)


@needs_sample
def test_equity_findings_are_ranked_by_shortfall(sample, equity):
    _, _, result, _ = sample
    table = result.equity.table.filter(
        pl.col("attribute").is_in(ATTRIBUTES) & pl.col("adverse_impact").fill_null(False)
    ).sort("shortfall", descending=True)
    assert len(equity[0].findings) == table.height
    for sentence, group in zip(equity[0].findings, table["group"].to_list()):
        assert sentence.startswith(f'The "{group}" group')


@needs_sample
def test_equity_workbook_sheets_numbers_and_suppressed_cells(sample, equity):
    _, _, result, _ = sample
    book = workbook(equity[2])
    assert book.sheetnames == [
        "About this pack",
        "Groups gender",
        "Groups gender × disability",
        "Findings",
        "Pipeline gender",
        "Pipeline gender × disability",
        "Charts",
    ]
    about = dict((r[0], r[1]) for r in sheet_rows(book, "About this pack") if r[0])
    assert about["As-of date"] == "30 Sep 2026"
    assert about["Minimum group size"] == "10 people"
    rows = {r[0]: r for r in sheet_rows(book, "Groups gender × disability")[3:] if r[0]}
    table = result.equity.table.filter(pl.col("attribute") == "gender × disability")
    for row in table.iter_rows(named=True):
        label = row["group"] + (" (reference)" if row["group"] == result.equity.reference_groups[ATTRIBUTES[1]] else "")
        cells = rows[label]
        if row["suppressed"]:
            assert cells[1] == "fewer than 10" and all(c is None for c in cells[2:])
        else:
            assert cells[1] == row["eligible"] and cells[2] == row["promoted"]  # numbers stay numbers
            assert cells[3] == pytest.approx(row["rate"])
    assert len(book["Charts"]._images) == 2


def _leaky_group(reference: str = "Group B") -> pack.GroupTable:
    """A table whose suppressed row still carries counts (a caller's mistake) and a formula-like name."""
    table = pl.DataFrame(
        {
            "attribute": ["a"] * 3,
            "group": ["=HYPERLINK(1)", "Group B", "Group C"],
            "eligible": [7777, 400, 300],
            "promoted": [3333, 80, 30],
            "rate": [0.4286, 0.2, 0.1],
            "rate_low": [0.41, 0.16, 0.07],
            "rate_high": [0.44, 0.24, 0.14],
            "impact_ratio": [2.14, 1.0, 0.5],
            "adverse_impact": [False, False, True],
            "p_value": [0.5, None, 2e-255],
            "significant": [False, None, True],
            "shortfall": [-99.0, -20.0, 12.5],
            "robust": [False, False, True],
            "suppressed": [True, False, False],
        }
    )
    return pack.GroupTable("a", table, reference, "chosen for the test")


def _tiny_pack(**changes) -> pack.EquityPack:
    meta = pack.PackMeta("Org", "src", dt.date(2026, 1, 31))
    base = dict(
        meta=meta,
        config=EquityConfig(),
        window_start=dt.date(2025, 1, 31),
        window_end=dt.date(2026, 1, 31),
        overall_rate=0.16,
        groups=(_leaky_group(),),
    )
    base.update(changes)
    return pack.EquityPack(**base)


@needs_poppler
def test_a_suppressed_row_never_carries_numbers_even_if_the_caller_passed_them():
    equity_pack = _tiny_pack()
    text = pdf_text(pack.equity_pdf(equity_pack))
    assert "7,777" not in text and "3,333" not in text and "−99.0" not in text
    assert "=HYPERLINK(1) fewer than 10" in " ".join(text.split())  # a PDF runs no formula: shown as given
    book = workbook(pack.equity_excel(equity_pack))
    rows = sheet_rows(book, "Groups a")[3:]
    leaked = [r for r in rows if r[0] and "HYPERLINK" in r[0]][0]
    assert leaked[0] == "'=HYPERLINK(1)"  # text, never a formula
    assert leaked[1] == "fewer than 10" and all(c is None for c in leaked[2:])
    assert all(7777 not in r and 3333 not in r for r in rows)
    group_c = [r for r in rows if r[0] == "Group C"][0]
    assert group_c[1] == 300 and group_c[8] == 2e-255  # the p value stays a number; its format shows "< 0.001"
    excel_row = 4 + [r[0] for r in rows].index("Group C")
    assert book["Groups a"].cell(row=excel_row, column=9).number_format.startswith("[<0.001]")


@needs_poppler
def test_robust_on_a_non_significant_row_says_what_it_means():
    group = _leaky_group()
    table = group.table.with_columns(
        pl.when(pl.col("group") == "Group C").then(False).otherwise(pl.col("significant")).alias("significant")
    )
    equity_pack = _tiny_pack(groups=(pack.GroupTable("a", table, "Group B", "chosen"),))
    text = " ".join(pdf_text(pack.equity_pdf(equity_pack)).split())
    assert "Holds, but not significant" in text


def test_an_equity_pack_needs_a_groups_table():
    with pytest.raises(ValueError, match="at least one groups table"):
        pack.equity_pdf(_tiny_pack(groups=()))


def test_a_groups_table_without_the_equity_columns_is_named():
    bad = pack.GroupTable("gender", pl.DataFrame({"group": ["A"]}), "A", "x")
    with pytest.raises(ValueError, match="groups table for gender lacks column"):
        pack.equity_excel(_tiny_pack(groups=(bad,)))


def test_chart_png_is_a_drawn_chart():
    from PIL import Image

    png = pack.chart_png(pack._rates_chart(_leaky_group(), EquityConfig()))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    # both Okabe–Ito colours of the chart are drawn: vermilion (below four-fifths) and blue (not adverse)
    assert any(abs(r - 0xD5) < 12 and abs(g - 0x5E) < 12 and b < 20 for r, g, b in colours)
    assert any(r < 12 and abs(g - 0x72) < 12 and abs(b - 0xB2) < 12 for r, g, b in colours)


# -- succession --------------------------------------------------------------------------------


@needs_sample
@needs_poppler
def test_succession_pdf_shows_roles_bench_gaps_and_candidates(sample, succession):
    bundle, _, result, _ = sample
    full, gaps, data, _ = succession
    text = " ".join(pdf_text(data).split())
    assert "Succession review pack" in text and "30 Sep 2026" in text and "Teams: Data Science" in text
    titles = dict(zip(bundle.tables["roles"]["role_id"], bundle.tables["roles"]["title"]))
    names = dict(zip(bundle.tables["competencies"]["competency_id"], bundle.tables["competencies"]["name"]))
    for row in result.bench.filter(pl.col("critical")).iter_rows(named=True):
        assert titles[row["role_id"]] in text
        gap = gaps.filter(pl.col("role_id") == row["role_id"]).row(0, named=True)
        assert names[gap["competency_id"]] in text
        for employee in full.candidates[row["role_id"]]["employee_id"]:
            assert employee in text
    assert "Bench strength = candidates ready now ÷ incumbents" in text
    assert not RAW_TOKENS.search(pdf_text(data))


@needs_sample
@needs_poppler
def test_succession_pack_without_person_level_rows_has_no_employee(sample, succession):
    _, config, _, meta = sample
    full = succession[0]
    aggregate = pack.SuccessionPack(meta, config.readiness, full.roles, full.coverage, None)
    text = pdf_text(pack.succession_pdf(aggregate))
    assert "Not included: the viewer may not see person-level rows." in " ".join(text.split())
    assert not re.search(r"\bE\d{6}\b", text)
    book = workbook(pack.succession_excel(aggregate))
    assert book.sheetnames == ["About this pack", "Critical roles", "Charts"]


@needs_sample
@needs_poppler
def test_succession_pdf_pages_render(succession):
    pngs = render(succession[2], "succession", pages=2)
    assert len(pngs) == 2 and all(p.stat().st_size > 5_000 for p in pngs)


@needs_sample
def test_succession_workbook(sample, succession):
    _, _, result, _ = sample
    full, gaps, _, data = succession
    book = workbook(data)
    critical = result.bench.filter(pl.col("critical"))
    assert book.sheetnames[:2] == ["About this pack", "Critical roles"]
    assert [n for n in book.sheetnames if n.startswith("Cand ")] == [f"Cand {r}" for r in full.candidates]
    rows = [r for r in sheet_rows(book, "Critical roles")[3:] if r[0] and r[-1]]
    assert [r[-1] for r in rows] == critical["role_id"].to_list()  # role ids stay available
    for r, b in zip(rows, critical.iter_rows(named=True)):
        assert r[1:5] == (b["incumbents"], b["candidates"], b["ready_now"], b["ready_soon"])
        assert r[5] == pytest.approx(b["bench_strength"])
        assert r[6] == pytest.approx((b["ready_now"] + b["ready_soon"]) / b["incumbents"])
        short = gaps.filter(pl.col("role_id") == b["role_id"]).row(0, named=True)
        assert (r[9], r[10]) == (short["candidates_short"], short["candidates"])
