"""Competency framework: the hierarchy of competencies (from a CASE framework or the competencies table)."""

from __future__ import annotations

import streamlit as st

from data_sources.case import framework_text, framework_tree
from ui.components import BLANK
from ui.state import page_context

bundle, _filters = page_context()
st.title("Competency framework")
comp = bundle.tables["competencies"]
has_tree = "parent_id" in comp.columns and comp["parent_id"].null_count() < comp.height
st.caption(
    "The competencies and how they nest. A framework imported from a 1EdTech CASE package keeps each item's "
    "URI and full statement; a competencies table without parents shows as a flat list."
)
tree = framework_tree(comp)
c1, c2 = st.columns(2)
c1.metric("Competencies", f"{comp.height}")
c2.metric("Levels deep", f"{int(tree['depth'].max()) + 1 if tree.height else 0}")
if not has_tree:
    st.info("This source's competencies have no parent_id: the framework is flat.", icon=":material/info:")
st.code(framework_text(comp) or "(no competencies)", language=None)
extra = [c for c in ("uri", "statement") if c in comp.columns]
st.dataframe(
    tree.join(comp.select("competency_id", "category", *extra), on="competency_id", how="left"),
    hide_index=True,
    placeholder=BLANK,
    width="stretch",
)
