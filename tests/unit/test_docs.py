"""Documentation stays true: docs/metrics.md is assembled from its parts, and every
definition link on a page points at a heading that exists."""

from __future__ import annotations

import re
from pathlib import Path

from ui.components import definition_url

ROOT = Path(__file__).resolve().parents[2]
PARTS = [
    "metrics_header",
    "metrics/proficiency",
    "metrics/readiness",
    "metrics/bench",
    "metrics/capability_risk",
    "metrics/equity",
    "metrics/learning_impact",
    "metrics/assets",
    "metrics/talent",
]


def test_metrics_doc_is_assembled_from_the_family_docs():
    expected = "".join((ROOT / "docs" / f"{p}.md").read_text() + "\n" for p in PARTS)
    assert (ROOT / "docs" / "metrics.md").read_text() == expected, "run: make docs/metrics.md"


def _slug(heading: str) -> str:
    return definition_url(heading).split("#", 1)[1]


def test_every_definition_link_on_a_page_has_its_heading():
    headings = {
        _slug(m.group(1))
        for m in re.finditer(r"^#{1,4} (.+)$", (ROOT / "docs" / "metrics.md").read_text(), re.MULTILINE)
    }
    anchors = set()
    for page in (ROOT / "views").glob("*.py"):
        text = page.read_text()
        anchors |= set(re.findall(r'(?:explain|metric_help)\(\s*(?:f?"[^"]*"\s*)+,\s*"([^"]+)"', text, re.DOTALL))
    assert {"Readiness", "Bench strength", "Progression equity", "Learning impact", "Asset portfolio"} <= anchors
    missing = {a for a in anchors if _slug(a) not in headings}
    assert not missing, f"definition links without a heading in docs/metrics.md: {missing}"


def test_every_view_explains_its_metrics_with_a_definition_link():
    for page in (ROOT / "views").glob("*.py"):
        text = page.read_text()
        if page.stem in ("data", "definitions", "framework", "home", "audit"):  # no metric on these pages
            continue
        # a page drawing a person's profile explains through ui/profile.py, which is checked too
        assert "explain(" in text or "metric_help(" in text or "render_profile(" in text, page.name
    profile = (ROOT / "ui" / "profile.py").read_text()
    assert "explain(" in profile
