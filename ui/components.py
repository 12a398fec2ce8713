"""Small page building blocks: metric help with a definition link, downloads, needs-table notes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl
import streamlit as st

from data_sources.bundle import DataBundle

if TYPE_CHECKING:
    from ui.pack import PackMeta
    from ui.state import Filters
from ui.export import EXCEL_MIME, csv_bytes, excel_bytes

DEFINITIONS_PAGE = "definitions"
MSG_NEEDS_TABLES = (
    "This view needs the {tables} table{s}, which this source does not have. "
    "Add {files} to your export folder (or map them in a source configuration) and load it again on the **Data** page."
)


def definition_url(anchor: str) -> str:
    """Link to a metric's definition on the in-app Definitions page (docs/metrics.md).

    Example
    -------
    >>> definition_url("Bench strength")
    './definitions#bench-strength'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", anchor.lower()).strip("-")
    return f"./{DEFINITIONS_PAGE}#{slug}"


def metric_help(text: str, anchor: str) -> str:
    """One-line plain explanation plus a link to the definition, for ``help=`` and captions."""
    return f"{text} [Definition]({definition_url(anchor)})"


def explain(text: str, anchor: str) -> None:
    """Caption under a metric or table: what it means, and where it is defined."""
    st.caption(metric_help(text, anchor))


def needs_tables(bundle: DataBundle, view: str) -> bool:
    """Show the needs-table message and return True when ``view`` cannot run on ``bundle``."""
    missing = bundle.missing_for(view)
    if not missing:
        return False
    st.info(
        MSG_NEEDS_TABLES.format(
            tables=", ".join(f"`{t}`" for t in missing),
            s="s" if len(missing) > 1 else "",
            files=", ".join(f"`{t}.csv`" for t in missing),
        ),
        icon=":material/table_view:",
    )
    return True


def _audit_download(file_name: str) -> None:
    from data_sources.audit import DOWNLOAD
    from ui.auth import audit, session_viewer

    audit(session_viewer(), DOWNLOAD, file_name)


def downloads(frame: pl.DataFrame, name: str, key: str | None = None) -> None:
    """CSV and Excel download buttons for exactly the frame shown (formula-safe)."""
    key = key or name
    # a horizontal row keeps each button as wide as its label (fixed columns cut the labels at 1024 px)
    row = st.container(horizontal=True)
    with row:
        st.download_button(
            "Download CSV",
            csv_bytes(frame),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"csv_{key}",
            icon=":material/download:",
            on_click=_audit_download,
            args=(f"{name}.csv",),
        )
    with row:
        st.download_button(
            "Download Excel",
            excel_bytes(frame, sheet=name),
            file_name=f"{name}.xlsx",
            mime=EXCEL_MIME,
            key=f"xlsx_{key}",
            icon=":material/download:",
            on_click=_audit_download,
            args=(f"{name}.xlsx",),
        )


#: What a missing value reads as in a table (st.dataframe shows "None" otherwise).
BLANK = "–"
MSG_EMPTY_TABLE = (
    "Nothing to list here for the chosen scope: no row matches the sidebar's team, ladder and date. "
    "Clear a filter or choose another date."
)


def show_table(
    frame: pl.DataFrame,
    name: str,
    *,
    key: str | None = None,
    progress: tuple[str, ...] = ("readiness",),
    height: int | None = None,
) -> None:
    """A metric frame as people read it (``ui.present``), with downloads of exactly what is shown.

    Employee ids link to the person's profile (for viewers who may open it) and role ids to the
    role's readiness; a long "why" column is shown whole for the selected row.
    """
    from metrics.access import allowed_pages
    from ui.auth import session_viewer
    from ui.present import header, present

    key = key or name
    if frame.height == 0:
        st.info(MSG_EMPTY_TABLE, icon=":material/filter_alt_off:")
        return
    shown = present(frame)
    display = shown.frame
    config: dict[str, object] = {}
    allowed = allowed_pages(session_viewer().role)
    if shown.employee_column and "person" in allowed:
        display = display.with_columns(
            ("./person?employee=" + pl.col(shown.employee_column)).alias(shown.employee_column)
        )
        config[shown.employee_column] = st.column_config.LinkColumn(
            shown.employee_column, display_text=r"employee=(.*)$", help="Open this person's profile"
        )
    if shown.role_column and "readiness" in allowed:
        display = display.with_columns(("./readiness?role=" + pl.col(shown.role_column)).alias(shown.role_column))
        config[shown.role_column] = st.column_config.LinkColumn(
            shown.role_column, display_text=r"role=(.*)$", help="Open this role's readiness"
        )
    for column in progress:
        if header(column) in display.columns:
            config[header(column)] = st.column_config.ProgressColumn(
                header(column), min_value=0.0, max_value=1.0, format="%.2f", color="blue"
            )
    for column in shown.percent_columns:
        config[column] = st.column_config.NumberColumn(column, format="%.1f%%")
    for column, dtype in display.schema.items():
        if dtype.is_integer() and column not in config:  # 43,550 as a person reads it
            config[column] = st.column_config.NumberColumn(column, format="localized")
    if shown.text_column:
        config[shown.text_column] = st.column_config.TextColumn(shown.text_column, width="large")
    event = st.dataframe(
        display,
        hide_index=True,
        placeholder=BLANK,
        column_config=config,
        on_select="rerun" if shown.text_column else "ignore",
        selection_mode="single-row",
        key=f"table_{key}",
        height=height or "auto",
    )
    if shown.text_column:
        rows = event.selection.rows if event is not None else []
        if rows:
            st.info(str(shown.frame.get_column(shown.text_column)[rows[0]]), icon=":material/info:")
        else:
            st.caption("Select a row to read its explanation in full.")
    downloads(shown.frame, name, key=key)


def pack_meta(bundle: DataBundle, filters: Filters) -> PackMeta:
    """What a committee pack says about where its numbers come from: source, as-of date, filters, reader."""
    from ui.auth import session_viewer
    from ui.pack import PackMeta

    scopes = (("Teams", filters.teams), ("Ladders", filters.ladders))
    return PackMeta(
        organisation=bundle.source,
        source=bundle.source,
        as_of=filters.as_of,
        filters=tuple(f"{name}: {', '.join(values)}" for name, values in scopes if values),
        prepared_for=session_viewer().name or None,
    )


def pack_downloads(name: str, build_pdf: Callable[[], bytes], build_excel: Callable[[], bytes]) -> None:
    """Committee-pack downloads (PDF and Excel), built only when clicked, and recorded in the audit log.

    The builders run later, outside the session (Streamlit's deferred download), so they run as the
    viewer resolved now (``ui.auth.as_viewer``): a pack never carries more than its reader may see."""
    from ui.auth import as_viewer, session_viewer
    from ui.pack import EXCEL_MIME as PACK_EXCEL_MIME
    from ui.pack import PDF_MIME

    viewer = session_viewer()
    build_pdf, build_excel = as_viewer(viewer, build_pdf), as_viewer(viewer, build_excel)

    row = st.container(horizontal=True)
    with row:
        st.download_button(
            "Committee pack (PDF)",
            build_pdf,
            file_name=f"{name}.pdf",
            mime=PDF_MIME,
            key=f"pack_pdf_{name}",
            icon=":material/picture_as_pdf:",
            on_click=_audit_download,
            args=(f"{name}.pdf",),
            type="primary",
        )
    with row:
        st.download_button(
            "Committee pack (Excel)",
            build_excel,
            file_name=f"{name}.xlsx",
            mime=PACK_EXCEL_MIME,
            key=f"pack_xlsx_{name}",
            icon=":material/table:",
            on_click=_audit_download,
            args=(f"{name}.xlsx",),
        )


def param_choice(param: str, key: str, options: list[str]) -> None:
    """Preselect widget ``key`` from the address parameter ``param`` when the address was set from
    outside (a link or a reload), not when it merely echoes the widget's own last value."""
    asked = st.query_params.get(param)
    written_key = f"{key}__written"
    if asked in options and asked != st.session_state.get(written_key):
        st.session_state[key] = asked
        st.session_state[written_key] = asked


def remember_param(param: str, key: str, value: str) -> None:
    """Write the widget's value to the address (so a reload or a shared link opens it)."""
    st.query_params[param] = value
    st.session_state[f"{key}__written"] = value


def readiness_table(frame: pl.DataFrame, name: str, key: str | None = None) -> None:
    """People with their readiness as a bar, links to their profiles, the reason in words, downloads."""
    show_table(frame, name, key=key)


MSG_NO_PERSON_LEVEL = "Person-level rows are not shown to your role ({role}); the figures above are aggregates."


def person_level_allowed(bundle: DataBundle, as_of: dt.date) -> bool:
    """True when the viewer may see person-level rows; otherwise say so and return False."""
    from ui.auth import current_scope

    scope = current_scope(bundle, as_of)
    if scope.person_level:
        return True
    st.info(MSG_NO_PERSON_LEVEL.format(role=scope.role), icon=":material/lock:")
    return False


MSG_FITTING = (
    "Estimating learning impact in the background (started {started:%H:%M:%S}, {elapsed:.0f} s ago). Everything "
    "else on this page is ready; this part fills in by itself when the estimate ends, and is then kept for "
    "everyone and for later visits."
)
MSG_STORED = (
    "Learning impact for as-of {as_of:%d %b %Y}, estimated {finished:%d %b %Y %H:%M} UTC and kept in the store."
)


def _poll_fit(bundle: DataBundle, as_of: dt.date) -> None:
    from metrics.learning import STATE_DONE
    from ui.compute import learning_status

    status = learning_status(bundle, as_of)
    if status.state == STATE_DONE:
        st.rerun()
    started = status.started or status.submitted or dt.datetime.now(dt.UTC)
    elapsed = (dt.datetime.now(dt.UTC) - started).total_seconds()
    st.info(MSG_FITTING.format(started=started, elapsed=max(elapsed, 0)), icon=":material/hourglass_top:")


def learning_gate(bundle: DataBundle, as_of: dt.date, key: str) -> bool:
    """True when the learning-impact result is ready. Otherwise the fit runs in the background and
    this part of the page says so and fills in when it ends; the rest of the page never waits."""
    from metrics.learning import STATE_DONE, STATE_FAILED, STATE_REFUSED
    from ui.compute import learning_status

    status = learning_status(bundle, as_of)
    if status.state == STATE_DONE:
        if status.finished is not None:
            st.caption(MSG_STORED.format(as_of=as_of, finished=status.finished))
        return True
    if status.state in (STATE_FAILED, STATE_REFUSED):
        st.warning(status.message, icon=":material/warning:")
        return False
    st.fragment(_poll_fit, run_every=2)(bundle, as_of)
    return False


def learning_available_quietly(bundle: DataBundle, as_of: dt.date) -> bool:
    """True when the learning-impact result is ready (no message drawn; starts the fit otherwise)."""
    from ui.compute import learning_available

    return learning_available(bundle, as_of)
