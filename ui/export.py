"""CSV and Excel bytes for downloads, safe to open in a spreadsheet.

Cells are made formula-safe by the one function every CSV and Excel file of the
product goes through (``data_sources.outputs.neutralise``): a text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe; numbers stay numbers. Sheet names are made acceptable to
Excel (``data_sources.outputs.safe_sheet_name``). Exports are built from the
same frames the page shows, so whatever the screen suppresses the download does
not carry.

Example
-------
>>> import polars as pl
>>> neutralise(pl.DataFrame({"t": ["=1+1", "ok", "-x"], "n": [-1, 2, 3]})).rows()
[("'=1+1", -1), ('ok', 2), ("'-x", 3)]
"""

from __future__ import annotations

import io

import polars as pl

from data_sources.outputs import FORMULA_PREFIXES, neutralise, safe_sheet_name, spreadsheet_safe

__all__ = ["EXCEL_MIME", "FORMULA_PREFIXES", "csv_bytes", "excel_bytes", "neutralise"]

EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark so Excel reads accents), neutralised.

    Example
    -------
    >>> csv_bytes(pl.DataFrame({"a": ["@x"]}))
    b"\\xef\\xbb\\xbfa\\n'@x\\n"
    """
    return "\ufeff".encode() + spreadsheet_safe(frame).write_csv().encode()


def excel_bytes(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx workbook with one sheet (its name made valid for Excel), neutralised; text is never a formula."""
    buf = io.BytesIO()
    spreadsheet_safe(frame).write_excel(buf, worksheet=safe_sheet_name(sheet), autofit=True)
    return buf.getvalue()
