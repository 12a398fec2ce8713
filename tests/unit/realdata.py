"""Where ``../shared/realdata`` is: beside the checkout (CI, the main checkout) or beside the worktrees' folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def realdata_dir() -> Path:
    """The real-data folder; the first candidate that exists, else the usual place (tests then skip)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "realdata"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "realdata"
