"""Writing a bench's figures into bench/RESULTS.md between its own markers.

Example
-------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "R.md"
>>> write_section(p, "x", "first"); write_section(p, "x", "second")
>>> p.read_text().count("second"), p.read_text().count("first")
(1, 0)
"""

from __future__ import annotations

from pathlib import Path


def write_section(results: Path, name: str, body: str) -> None:
    """Put ``body`` between the ``<!-- name:start -->`` and ``<!-- name:end -->`` markers of
    ``results`` (replacing an earlier run's figures), or append it with markers when absent."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text, encoding="utf-8")
