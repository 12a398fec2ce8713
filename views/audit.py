"""Audit log: who signed in, which person profile was opened, which download was taken,
which source was loaded, which nomination or pool change was saved. Administrators only; append-only, in the product's own store."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data_sources.audit import ACTIONS, read_log
from data_sources.store import store_engine
from ui.components import show_table
from ui.present import code_words

st.title("Audit log")
st.caption(
    "Every sign-in, person-profile view, download, source load, nomination and talent-pool change, newest last. Entries name people by their "
    "sign-in and employees by id only; no demographic attribute is ever recorded."
)
log = read_log(store_engine())
actions = st.multiselect("Actions", list(ACTIONS), default=list(ACTIONS), format_func=code_words, key="audit_actions")
shown = log.filter(pl.col("action").is_in(actions)).with_columns(
    pl.col("at").dt.strftime("%d %b %Y %H:%M:%S UTC"), pl.col("role").str.to_titlecase()
)
if shown.height == 0:
    st.info("No entry matches the chosen actions yet.")
else:
    show_table(shown, "audit_log")
