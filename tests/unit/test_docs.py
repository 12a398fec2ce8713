"""Documentation stays true: docs/metrics.md is assembled from its parts, and every
definition link on a page points at a heading that exists."""

from __future__ import annotations

import re
from pathlib import Path

from ui.components import definition_url
from ui.definitions_doc import split_definitions

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


def _linked_anchors() -> set[str]:
    """Every heading a page links to (pages, and ui modules that draw parts of pages)."""
    anchors = set()
    for page in [*(ROOT / "views").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        text = page.read_text()
        anchors |= set(re.findall(r'(?:explain|metric_help)\(\s*(?:f?"[^"]*"\s*)+,\s*"([^"]+)"', text, re.DOTALL))
    return anchors


def _headings(markdown: str) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,4} (.+)$", markdown, re.MULTILINE)}


def test_every_definition_link_on_a_page_has_its_heading():
    headings = _headings((ROOT / "docs" / "metrics.md").read_text())
    anchors = _linked_anchors()
    assert {"Readiness", "Bench strength", "Progression equity", "Learning impact", "Asset portfolio"} <= anchors
    assert {"Demonstrated proficiency", "Readiness by role", "Pipeline equity"} <= anchors
    missing = {a for a in anchors if _slug(a) not in headings}
    assert not missing, f"definition links without a heading in docs/metrics.md: {missing}"


def test_linked_headings_stay_open_on_the_definitions_page():
    # the page folds implementation notes into expanders; a link must not land on a folded heading
    sections = split_definitions((ROOT / "docs" / "metrics.md").read_text())
    open_headings = set().union(*(_headings(s.plain) for s in sections))
    folded = {a for a in _linked_anchors() if _slug(a) not in open_headings}
    assert not folded, f"definition links to headings inside implementation notes: {folded}"


#: Families written to the page's convention: a plain paragraph, a worked example, then folded notes.
#: Add a family here when its doc is rewritten that way.
PLAIN_FIRST = (
    "Demonstrated proficiency",
    "Readiness",
    "Bench strength",
    "Capability risk",
    "Progression equity",
    "Learning impact",
    "Asset portfolio",
)


def test_every_family_has_a_contents_line_and_the_rewritten_ones_lead_with_plain_words():
    _, *families = split_definitions((ROOT / "docs" / "metrics.md").read_text())
    assert [f.title for f in families][: len(PLAIN_FIRST)] == list(PLAIN_FIRST)
    for family in families:
        assert family.summary, f"{family.title}: no plain first paragraph for the contents line"
    for family in (f for f in families if f.title in PLAIN_FIRST):
        assert re.search(r"^#{3,4} Worked example", family.plain, re.MULTILINE), family.title
        assert family.notes, f"{family.title}: no implementation notes to fold"
        # developer detail belongs in the notes: no config keys or tolerances in the plain part
        for developer_term in ("config key", "1e-9", "10⁻⁹", "tolerance", "`"):
            assert developer_term not in family.plain, (family.title, developer_term)
