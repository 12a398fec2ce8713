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
# "+1" is a plain number: a spreadsheet reads it as 1, never as a formula, so it is left as it is
SAFE = ['\'=HYPERLINK("http://x")', "+1", "'-2+3", "'@SUM(A1)", "'\tTab", "Ana", None]


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


def test_text_that_is_just_a_number_is_not_prefixed():
    # the equity view shows numbers as text ("-1.6" shortfall); a spreadsheet reads them as numbers, not formulas
    shown = pl.DataFrame({"shortfall": ["-1.6", "+2", "-2.5e-3", "-1+1", "-"], "n": [1, 2, 3, 4, 5]})
    rows = list(csv.reader(io.StringIO(csv_bytes(shown).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["-1.6", "+2", "-2.5e-3", "'-1+1", "'-"]
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(shown))).active
    assert [c.value for c in sheet["A"][1:]] == ["-1.6", "+2", "-2.5e-3", "'-1+1", "'-"]


def test_an_employee_id_excel_refuses_in_a_sheet_name_still_exports():
    # views/person.py names the sheet after the employee: gaps_<employee_id>
    data = excel_bytes(FRAME, "gaps_E/01:[x]?*\\ and a name far longer than thirty-one characters")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "gaps_E_01__x____ and a name far"
    assert sheet["A2"].value == SAFE[0]
