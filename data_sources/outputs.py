"""Writing what the product produces, safely: formula-proof CSV and Excel cells, Excel-proof sheet
names, and output folders and files that are replaced whole or not at all.

Every CSV and Excel file the product writes (the CLI's outputs and rejects, the
app's downloads) goes through ``neutralise``: a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a formula
by Excel or LibreOffice, so it gets a leading apostrophe. Numbers stay numbers,
and text that is just a number (``"-1.6"``) is left alone: a spreadsheet reads it
as that number, never as a formula.

Example
-------
>>> neutralise(pl.DataFrame({"t": ["=1+1", "ok", "-x", "-1.6"], "n": [-1, 2, 3, 4]})).rows()
[("'=1+1", -1), ('ok', 2), ("'-x", 3), ('-1.6', 4)]
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A plain number written as text (``-1.6``, ``+3``, ``-2.5e-3``): safe as it is.
_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_RISKY = r"^[=+\-@\t\r]"
#: Characters Excel refuses in a sheet name, and its length limit.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_MAX = 31
#: Files a previous output folder may hold (so replacing it never deletes anything else).
OUTPUT_SUFFIXES = (".csv", ".parquet", ".json")

ERR_OUT_IS_FILE = "{path} is a file, not a folder; give a folder for the output"
ERR_OUT_FOREIGN = (
    "{path} holds {name!r}, which is not an output of this program; "
    "give a new or empty folder (the output folder is replaced whole)"
)
ERR_TARGET_IS_FOLDER = "{path} is a folder, not a file"
ERR_PARENT = "{path}: {parent} is not a folder"
ERR_READ_ONLY = "{path}: the folder {parent} cannot be written (permission denied)"


class OutputError(Exception):
    """An output that cannot be written where asked; the message is one line for the user."""


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Only text columns change; numeric columns, and text that is a plain number,
    are left as they are.

    Example
    -------
    >>> neutralise(pl.DataFrame({"g": ["@SUM(A1)", "+E000002", "\\tx", None]})).get_column("g").to_list()
    ["'@SUM(A1)", "'+E000002", "'\\tx", None]
    """
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    if not text_cols:
        return frame
    cols = pl.col(text_cols)
    risky = cols.str.contains(_RISKY) & ~cols.str.contains(_NUMBER)
    return frame.with_columns(pl.when(risky).then(pl.lit("'") + cols).otherwise(cols).name.keep())


def neutralise_text(text: str) -> str:
    """One text cell under :func:`neutralise`'s rule: an apostrophe before a formula start, numbers kept.

    Example
    -------
    >>> neutralise_text("=HYPERLINK(1)"), neutralise_text("-1.6"), neutralise_text("Woman")
    ("'=HYPERLINK(1)", '-1.6', 'Woman')
    """
    if re.match(_RISKY, text) and not re.match(_NUMBER, text):
        return "'" + text
    return text


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs become text so CSV and Excel can hold them.

    Example
    -------
    >>> flatten(pl.DataFrame({"l": [[1, 2]]})).dtypes
    [String]
    """
    nested = [c for c, t in frame.schema.items() if t.is_nested()]
    if not nested:
        return frame
    return frame.with_columns(pl.col(c).map_elements(str, return_dtype=pl.String) for c in nested)


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """What a CSV or Excel file may hold: nested values as text, formula cells neutralised.

    Example
    -------
    >>> spreadsheet_safe(pl.DataFrame({"a": ["=x"], "n": [-1.5]})).row(0)
    ("'=x", -1.5)
    """
    return neutralise(flatten(frame))


def safe_sheet_name(name: str, default: str = "data") -> str:
    """An Excel sheet name: ``[ ] : * ? / \\`` replaced by ``_``, no edge apostrophes, at most 31 characters.

    Example
    -------
    >>> safe_sheet_name("gaps_E/01:[x]?*\\\\ with a very long employee id")
    'gaps_E_01__x____ with a very lo'
    >>> safe_sheet_name("''")
    'data'
    """
    cleaned = _SHEET_BAD.sub("_", name).strip("'")[:SHEET_MAX].strip("'")
    return cleaned or default


def write_csv(frame: pl.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as a formula-safe CSV to ``path`` (replaced whole: never a half-written file).

    Example
    -------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.csv"
    >>> write_csv(pl.DataFrame({"a": ["=1"], "b": [-2]}), p)
    >>> p.read_text()
    "a,b\\n'=1,-2\\n"
    """
    with atomic_file(Path(path)) as tmp:
        spreadsheet_safe(frame).write_csv(tmp)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    On any failure (also Ctrl-C) the temporary file is removed and ``path`` is untouched.
    """
    if path.is_dir():
        raise OutputError(ERR_TARGET_IS_FOLDER.format(path=path))
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.absolute().parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def replace_folder(out: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``out``; on success it becomes ``out``, whole.

    The previous ``out`` (which may hold only earlier outputs: CSV, Parquet and
    JSON files) is swapped out in one step (an atomic exchange where the system
    has one, else two renames) and then deleted, so a reader never sees a
    half-written file, an interrupted run leaves the previous output, and files
    of the previous run that this run does not write do not remain.

    Raises
    ------
    OutputError
        ``out`` is a file, or a folder holding anything but earlier outputs.

    Example
    -------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "out"
    >>> with replace_folder(out) as tmp:
    ...     _ = (tmp / "a.csv").write_text("a\\n1\\n")
    >>> sorted(p.name for p in out.iterdir())
    ['a.csv']
    """
    out = Path(out)
    if out.is_symlink():  # replace the folder it points to, keep the link
        out = out.resolve()
    check_output_folder(out)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, (out.stat().st_mode & 0o7777) if out.is_dir() else 0o777 & ~_umask())
        if not out.exists():
            os.rename(tmp, out)
            return
        if _exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous output
            return
        old = parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(out, old)
        try:
            os.rename(tmp, out)
        except BaseException:
            os.rename(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_output_folder(out: Path) -> None:
    """Refuse, before any work, an output folder that ``replace_folder`` would refuse or cannot write.

    Example
    -------
    >>> check_output_folder(Path(__file__))
    Traceback (most recent call last):
    ...
    data_sources.outputs.OutputError: ... is a file, not a folder; give a folder for the output
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(ERR_OUT_IS_FILE.format(path=out))
    if out.is_dir():
        for entry in out.iterdir():
            if not entry.is_file() or entry.suffix.lower() not in OUTPUT_SUFFIXES:
                raise OutputError(ERR_OUT_FOREIGN.format(path=out, name=entry.name))
    _check_parent(out)


def check_output_file(path: Path) -> None:
    """Refuse, before any work, an output file path that is a folder or whose folder cannot be written.

    Example
    -------
    >>> check_output_file(Path(__file__).parent)
    Traceback (most recent call last):
    ...
    data_sources.outputs.OutputError: ... is a folder, not a file
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(ERR_TARGET_IS_FOLDER.format(path=path))
    _check_parent(path)


def _check_parent(path: Path) -> None:
    parent = path.absolute().parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        raise OutputError(ERR_PARENT.format(path=path, parent=existing or parent))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(ERR_READ_ONLY.format(path=path, parent=existing))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
