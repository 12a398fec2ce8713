"""CSV and Excel bytes for downloads, safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be run as a formula by Excel or LibreOffice (formula injection);
such cells are neutralised with a leading apostrophe. Numbers stay numbers.
Exports are built from the same frames the page shows, so whatever the screen
suppresses the download does not carry.

Example
-------
>>> import polars as pl
>>> neutralise(pl.DataFrame({"t": ["=1+1", "ok", "-x"], "n": [-1, 2, 3]})).rows()
[("'=1+1", -1), ('ok', 2), ("'-x", 3)]
"""

from __future__ import annotations

import io

import polars as pl

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would treat as a formula with an apostrophe."""
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    if not text_cols:
        return frame
    risky = pl.col(text_cols).str.contains(r"^[=+\-@\t\r]")
    return frame.with_columns(
        pl.when(risky).then(pl.lit("'") + pl.col(text_cols)).otherwise(pl.col(text_cols)).name.keep()
    )


def _flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs become text so CSV and Excel can hold them."""
    nested = [c for c, t in frame.schema.items() if t.is_nested()]
    if not nested:
        return frame
    return frame.with_columns(pl.col(c).map_elements(str, return_dtype=pl.String) for c in nested)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark so Excel reads accents), neutralised.

    Example
    -------
    >>> csv_bytes(pl.DataFrame({"a": ["@x"]}))
    b"\\xef\\xbb\\xbfa\\n'@x\\n"
    """
    return "\ufeff".encode() + neutralise(_flatten(frame)).write_csv().encode()


def excel_bytes(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx workbook with one sheet, neutralised; text is written as text, never as a formula."""
    buf = io.BytesIO()
    neutralise(_flatten(frame)).write_excel(buf, worksheet=sheet[:31], autofit=True)
    return buf.getvalue()
