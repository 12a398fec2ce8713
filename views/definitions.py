"""Definitions: every metric in plain words with a worked example; implementation notes folded away.

The text is docs/metrics.md (assembled from docs/metrics_header.md and docs/metrics/*.md).
Each family's plain part stays open so that the definition links of other pages land on
their headings; the implementation notes of each family go into an expander, sent when opened.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.definitions_doc import example_blocks, split_definitions

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"

preamble, *families = split_definitions(DOC.read_text(encoding="utf-8"))

st.markdown(preamble.plain)
st.markdown(
    "**On this page**\n\n"
    + "\n".join(f"- [{f.title}](#{f.anchor}): {f.summary[:1].lower()}{f.summary[1:]}" for f in families)
)


def implementation_notes(label: str, key: str, text: str) -> None:
    """A folded expander whose text is sent only once it is opened (the notes are more than half
    of the page's text; drawing them unseen made the page's first render the slowest)."""
    notes = st.expander(label, key=key, on_change="rerun")
    if notes.open:
        with notes:
            st.markdown(text)


if preamble.notes:
    implementation_notes(
        "Implementation notes: the as-of date, configuration and this page", "notes_page", preamble.notes
    )

for family in families:
    st.divider()
    for boxed, text in example_blocks(family.plain):
        if boxed:
            with st.container(border=True):
                st.markdown(text)
        else:
            st.markdown(text)
    if family.notes:
        implementation_notes(f"Implementation notes: {family.title.lower()}", f"notes_{family.anchor}", family.notes)

# Streamlit scrolls to the address's #heading when the heading is first drawn; on a busy server
# the blocks above it can still be growing then, and the heading ends up lower (or the scroll is
# missed). Once the page is drawn, bring the heading to the top if it is not near it. The script is
# static: the address's fragment is only looked up as an element id, never inserted anywhere.
st.html(
    """<script>
(() => {
  const id = decodeURIComponent(window.location.hash.slice(1));
  if (!id) return;
  const settle = () => {
    const e = document.getElementById(id);
    if (!e) return;
    const top = e.getBoundingClientRect().top;
    if (top < 0 || top > 160) e.scrollIntoView({block: "start"});
  };
  [0, 400, 1200].forEach((ms) => setTimeout(settle, ms));
})();
</script>""",
    unsafe_allow_javascript=True,
)
