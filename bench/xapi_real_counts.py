"""Read / accepted / rejected per real xAPI export, as-is and with the shipped verb vocabulary.

Three ways of loading each file of ``../shared/realdata/xapi_real`` (and ``xapi_examples``):

* ``as-is``: the importer before issue 12 (``data_sources/xapi.py`` at commit
  ``259965f``, read from git), its rows validated against the contract with no
  employees or assets to check against (so only verb, timestamp, score and
  duration can reject); ``crash`` when it raised;
* ``no vocab``: today's importer with the built-in vocabulary switched off
  (``builtin_verbs = false``): only the structural checks;
* ``shipped``: today's importer with the shipped vocabulary, employees and assets
  taken from the statements (an LRS export alone), through ``load_source``.

Run from the repository root::

    .venv/bin/python bench/xapi_real_counts.py            # every file
    .venv/bin/python bench/xapi_real_counts.py --summary  # totals per folder only
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data_sources.config import SourceConfig  # noqa: E402
from data_sources.errors import SourceError  # noqa: E402
from data_sources.loader import load_source  # noqa: E402
from data_sources.validate import validate_table  # noqa: E402

BEFORE = "259965f"
AS_OF = dt.date(2026, 1, 1)


def _realdata() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "realdata").is_dir():
            return base / "shared" / "realdata"
    raise SystemExit("../shared/realdata is absent")


def _old_reader():
    """The importer as it was before issue 12 (from git), or None when git cannot give it."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BEFORE}:data_sources/xapi.py"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "xapi_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("xapi_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.read_xapi


def _as_is(read_old, path: Path) -> str:
    if read_old is None:
        return "n/a"
    try:
        raw, bad = read_old(path, {})
        res = validate_table(raw, "learning_events", path.name, as_of=AS_OF, parents={})
    except SourceError:
        return "file error"
    except Exception as exc:  # the old importer crashed on some shapes: that is the figure
        return f"crash ({type(exc).__name__})"
    read = res.read + bad.height
    return f"{read}/{res.accepted.height}/{read - res.accepted.height}"


def _now(path: Path, builtin: bool) -> tuple[str, Counter]:
    tables = {t: {"xapi": str(path)} for t in ("assets", "employees")}
    tables["learning_events"] = {"xapi": str(path), "xapi_options": {"builtin_verbs": builtin}}
    try:
        bundle = load_source(SourceConfig.from_dict({"tables": tables}, base_dir=path.parent), as_of=AS_OF)
    except SourceError as exc:
        return "file error", Counter({str(exc).split(": ", 1)[-1][:60]: 1})
    report = {t.table: t for t in bundle.report.tables}["learning_events"]
    rejects = bundle.report.rejects.filter(table="learning_events").unique(subset=["row"], keep="first")
    reasons = Counter(r.split(" (")[0].split(":")[0] for r in rejects["reason"])
    return f"{report.read}/{report.accepted}/{report.rejected}", reasons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", action="store_true", help="totals per folder only")
    args = parser.parse_args()
    real = _realdata()
    read_old = _old_reader()
    files = sorted((real / "xapi_real").rglob("*.json")) + sorted(
        p for p in (real / "xapi_examples").glob("*") if p.suffix in (".json", ".jsonl", ".txt")
    )
    print(f"{'file':80} {'as-is r/a/j':>14} {'no vocab':>12} {'shipped':>12}")
    totals: dict[str, list[int]] = {}
    reasons: Counter = Counter()
    for path in files:
        before = _as_is(read_old, path)
        bare, _ = _now(path, builtin=False)
        shipped, why = _now(path, builtin=True)
        reasons.update(why)
        group = path.parent.name if path.parent.name != "xapi_real" else path.stem.split("_statements")[0]
        for key, figure in (("as-is", before), ("no vocab", bare), ("shipped", shipped)):
            parts = figure.split("/")
            if len(parts) == 3:
                acc = totals.setdefault(f"{group} {key}", [0, 0, 0])
                for i, v in enumerate(parts):
                    acc[i] += int(v)
        if not args.summary:
            print(f"{path.relative_to(real)!s:80} {before:>14} {bare:>12} {shipped:>12}")
    print()
    for key, (r, a, j) in totals.items():
        print(f"total {key:34} read {r:4}  accepted {a:4}  rejected {j:4}")
    print("\nreject reasons with the shipped vocabulary (one per rejected statement):")
    for reason, n in reasons.most_common():
        print(f"  {n:4}  {reason}")


if __name__ == "__main__":
    main()
