"""Data: which source is loaded, rows per table, rejects with reasons, and loading another source."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa
import streamlit as st

from data_sources.contract import CONTRACT, OPTIONAL_TABLES, REQUIRED_TABLES
from data_sources.sql import is_url
from data_sources.uploads import UploadFolder, sweep_stale
from metrics.access import ADMIN, HR, can_change_source
from ui.auth import may_serve_sources, session_viewer
from ui.components import BLANK, downloads
from ui.state import get_bundle, load_error, settings_for, try_load

#: The session's current upload folder: removed when another source replaces it or the session ends.
UPLOAD_KEY = "tr_upload_folder"

UPLOAD_TYPES = ["csv", "parquet", "xlsx", "json", "jsonl", "ndjson", "toml"]
MSG_BAD_UPLOAD_NAME = (
    "{name}: not a table of the data contract. Name each file after its table "
    "(e.g. employees.csv, learning_events.json) or upload a .toml source configuration with them."
)
MSG_BAD_URL = "That is not a SQLAlchemy URL (e.g. postgresql+psycopg://user@host:5432/db)."


def load_and_replace(source: str | None, upload: UploadFolder | None = None) -> None:
    """Load ``source``; when it loads, it replaces the current one and the previous upload folder is removed.

    When it does not load, the previous source (and its files) stay, and ``upload`` is removed.
    """
    if try_load(source) is None:
        if upload is not None:
            upload.cleanup()
        return
    previous = st.session_state.get(UPLOAD_KEY)
    st.session_state[UPLOAD_KEY] = upload
    if previous is not None and previous is not upload:
        previous.cleanup()


st.title("Data")
st.caption(
    "Which source is loaded, how many rows each table accepted, and every rejected row with its reason. "
    "Nothing is dropped silently: read = accepted + rejected."
)

error = load_error()
if error:
    st.error(error, icon=":material/error:")

bundle = get_bundle()
if bundle is not None:
    st.subheader("Still shown: the previous source" if error else "Loaded source")
    # the source's name and version as text: in a metric they were cut to "bundled …" at 1024 px
    st.markdown(
        f"**Source:** {bundle.source}  \n**Dataset version:** `{bundle.version}` "
        "(a content hash of the inputs; same inputs, same version)"
    )
    c1, _ = st.columns([1, 2])
    c1.metric(
        "Rejected rows",
        f"{sum(t.rejected for t in bundle.report.tables):,}",
        help="Rows that did not load, each listed below with its file, line, column and reason.",
    )
    settings = settings_for(bundle)
    st.markdown(f"**Metric parameters in force:** {settings.origin}")
    with st.expander("Every parameter in force (spec defaults unless overridden)"):
        st.json(settings.config.to_dict(), expanded=1)

    summary = bundle.report.summary()
    present = set(summary["table"])
    missing = [t for t in OPTIONAL_TABLES if t not in present]
    st.subheader("Rows per table")
    st.dataframe(
        summary,
        hide_index=True,
        placeholder=BLANK,
        column_config={
            "read": st.column_config.NumberColumn("read", format="%d"),
            "accepted": st.column_config.NumberColumn("accepted", format="%d"),
            "rejected": st.column_config.NumberColumn("rejected", format="%d"),
        },
    )
    downloads(summary, "rows_per_table", key="summary")
    if missing:
        st.caption(
            "Not in this source (optional): "
            + ", ".join(f"`{t}` ({CONTRACT[t].description})" for t in missing)
            + ". The views that need them say so."
        )

    rejects = bundle.report.rejects
    st.subheader("Rejected rows")
    if rejects.height == 0:
        st.success("Every row was accepted.", icon=":material/check_circle:")
    elif session_viewer().role not in (ADMIN, HR):
        st.info(
            f"{rejects.height:,} rejected rows: they are listed to HR and administrators only, since they show "
            "the rows' values.",
            icon=":material/lock:",
        )
    else:
        causes = bundle.report.causes().filter(pl.col("knock_on_rows") > 0)
        if causes.height:
            st.markdown(
                f"**{causes.get_column('knock_on_rows').sum():,} of the {rejects.height:,} rejects follow from "
                f"{causes.height} rejected row(s)**: fix these first and the rows that point at them load too."
            )
            for row in causes.head(10).iter_rows(named=True):
                st.markdown(
                    f"- {row['cause']}: {row['reason']} → {row['knock_on_rows']:,} row(s) in {row['tables']} "
                    "rejected because of it"
                )
        tables = sorted(rejects["table"].unique().to_list(), key=list(CONTRACT).index)
        chosen = st.selectbox("Table", ["All tables", *tables], key="rejects_table")
        shown = rejects if chosen == "All tables" else rejects.filter(pl.col("table") == chosen)
        st.dataframe(shown, hide_index=True, placeholder=BLANK, height=320)
        downloads(shown, "rejects")
    if bundle.report.notes:
        with st.expander(f"Notes ({len(bundle.report.notes)}): trimmed values, derived tables, defaults"):
            for note in bundle.report.notes:
                st.markdown(f"- {note}")

viewer = session_viewer()
if not (can_change_source(viewer.role) and may_serve_sources()):
    st.caption("Only an administrator loads or changes sources.")
    st.stop()

st.subheader("Load another source")
tab_path, tab_upload, tab_db, tab_sample = st.tabs(
    ["Folder or configuration", "Upload files", "Database", "Bundled sample"]
)

with tab_path, st.form("load_path"):
    path = st.text_input(
        "Folder of exports, or a .toml source configuration",
        placeholder="/data/exports  or  /data/exports/sources.toml",
        help="Files named after the tables: employees.csv, roles.csv, competencies.csv, "
        "role_requirements.csv, and optionally evidence, assets, learning_events, performance, "
        "movements, capability_targets (CSV, Parquet or Excel).",
    )
    if st.form_submit_button("Load", type="primary") and path.strip():
        load_and_replace(path.strip())
        st.rerun()

with tab_upload, st.form("load_upload", clear_on_submit=False):
    files = st.file_uploader(
        "Export files named after their tables",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        help="At least: " + ", ".join(f"{t}.csv" for t in REQUIRED_TABLES),
    )
    if st.form_submit_button("Load uploaded files", type="primary") and files:
        names = {Path(f.name).stem for f in files if not f.name.endswith(".toml")}
        bad = [f.name for f in files if not f.name.endswith(".toml") and Path(f.name).stem not in CONTRACT]
        if bad:
            st.error(MSG_BAD_UPLOAD_NAME.format(name=bad[0]))
        else:
            sweep_stale()  # folders a crashed server left behind
            upload = UploadFolder()  # private to this upload; a configuration in it may name only these files
            for f in files:
                (upload.path / Path(f.name).name).write_bytes(f.getvalue())
            configs = [Path(f.name).name for f in files if f.name.endswith(".toml")]
            target = str(upload.path / configs[0]) if configs else str(upload.path)
            load_and_replace(target, upload)
            st.rerun()

with tab_db, st.form("load_db"):
    url = st.text_input(
        "SQLAlchemy URL (without the password)",
        placeholder="postgresql+psycopg://analyst@db.internal:5432/hr",
        help="SQLite: sqlite:///path/to/talent.db · PostgreSQL: postgresql+psycopg://user@host/db · "
        "MariaDB/MySQL: mysql+pymysql://user@host/db",
    )
    password = st.text_input("Password", type="password", help="Never shown or logged.")
    if st.form_submit_button("Connect", type="primary") and url.strip():
        if not is_url(url.strip()):
            st.error(MSG_BAD_URL)
        else:
            full = sa.make_url(url.strip())
            if password:
                full = full.set(password=password)
            load_and_replace(full.render_as_string(hide_password=False))
            st.rerun()

with tab_sample:
    st.write("The generated 2,000-employee organisation in `sample_data/default/` (seed 7).")
    if st.button("Use the bundled sample", key="use_sample"):
        load_and_replace(None)
        st.rerun()
