"""Downloads: formula injection is neutralised in CSV and Excel, numbers stay numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl

from ui.export import csv_bytes, excel_bytes

FRAME = pl.DataFrame(
    {
        "name": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tTab", "Ana", None],
        "score": [-0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    }
)
SAFE = ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)", "'\tTab", "Ana", None]


def test_csv_cells_that_would_be_formulas_are_prefixed():
    rows = list(csv.reader(io.StringIO(csv_bytes(FRAME).decode("utf-8-sig"))))
    assert rows[0] == ["name", "score"]
    assert [r[0] for r in rows[1:]] == [s or "" for s in SAFE]
    assert rows[1][1] == "-0.5"  # a negative number is not touched


def test_excel_holds_text_not_formulas():
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(FRAME, "people"))).active
    names = [c.value for c in sheet["A"][1:]]
    assert names == SAFE
    assert all(c.data_type != "f" for c in sheet["A"])
    assert sheet["B2"].value == -0.5 and sheet["B2"].data_type == "n"
    assert sheet.title == "people"
