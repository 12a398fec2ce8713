"""Load any source into a ``DataBundle``: a folder of files, a SQLAlchemy URL, or a TOML configuration.

Example
-------
>>> from pathlib import Path
>>> bundle = load_source(DEFAULT_SAMPLE)  # doctest: +SKIP
>>> bundle.report.summary()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import polars as pl
from polars.exceptions import PanicException

from data_sources.bundle import DataBundle, LoadReport, TableReport
from data_sources.case import read_case
from data_sources.config import SourceConfig, TableSource
from data_sources.contract import CONTRACT, REQUIRED_TABLES, TABLE_ORDER
from data_sources.credentials import CredentialOptions, read_credentials, trusted_keys
from data_sources.errors import (
    ERR_MISSING_TABLE,
    ERR_NOT_FOUND,
    ERR_READ_CRASH,
    ERR_RECURSION,
    ERR_SOURCE_NOT_FOUND,
    ERR_SQL_WITHOUT_URL,
    ERR_UNKNOWN_SOURCE,
    ERR_UPLOADED_DATABASE,
    ERR_VALIDATE_CRASH,
    SourceError,
)
from data_sources.files import ROW, find_table_file, read_export
from data_sources.sql import is_url, make_engine, read_sql, safe_source, table_names
from data_sources.uploads import is_uploaded
from data_sources.validate import REJECT_SCHEMA, TableResult, validate_table
from data_sources.xapi import StatementsRead, XapiOptions, read_xapi

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLE = PROJECT_ROOT / "sample_data" / "default"
XAPI_SUFFIXES = (".json", ".jsonl", ".ndjson")
#: Found in a source folder without configuration: Open Badges credentials (beside evidence.csv) and a CASE framework.
CREDENTIALS_FOLDER = "credentials"
CREDENTIAL_FILE_SUFFIX = ".credential.json"
CASE_FILE = "competencies.json"
NOTE_NOT_READ = "{folder}: not read (not a file of any table): {names}"
#: Employees read from xAPI actors get these unless ``[tables.employees.constants]`` says otherwise.
XAPI_LEARNER_ROLE = "learner"
XAPI_LEARNER_TEAM = "learners"
NOTE_XAPI_PLACEHOLDER = (
    "{table}: not given; employees come from xAPI actors, so {what} stands in (give [tables.{table}] to replace it)"
)
_PLACEHOLDERS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "roles": (
        "one role 'learner' (ladder 'learning', level 1)",
        {"role_id": [XAPI_LEARNER_ROLE], "title": ["Learner"], "ladder": ["learning"], "level": ["1"]},
    ),
    "competencies": ("an empty competency framework", {"competency_id": [], "name": []}),
    "role_requirements": (
        "an empty list of role requirements",
        {"role_id": [], "competency_id": [], "required_level": []},
    ),
}
#: What reading one table gives: raw frame, label, content digest (None for SQL), rows rejected before validation.
RawRead = tuple[pl.DataFrame, str, str | None, pl.DataFrame]
#: Marks pre-validation rejects whose rows are in the raw frame (ragged CSV lines), as opposed
#: to rows that could not be read at all (NDJSON lines that are not JSON).
IN_FRAME = "__in_frame"


def resolve_config(source: str | Path | SourceConfig | None, *, uploaded: bool = False) -> SourceConfig:
    """Turn what a user typed (folder, URL, .toml, or nothing) into a ``SourceConfig``.

    ``uploaded``: the source came from a browser upload; a configuration may then
    name only the uploaded files (never a database or a server path). A
    configuration inside the upload folder (``data_sources.uploads``) is always
    treated so, whoever passes it.

    Example
    -------
    >>> resolve_config("sqlite:///talent.db").url
    'sqlite:///talent.db'
    """
    if isinstance(source, SourceConfig):
        return source
    if source is None or str(source).strip() == "":
        return SourceConfig(path=DEFAULT_SAMPLE, origin="bundled sample organisation")
    text = str(source).strip()
    if is_url(text):
        if uploaded:
            raise SourceError(ERR_UPLOADED_DATABASE)
        return SourceConfig(url=text, origin=safe_source(text))
    path = Path(text).expanduser()
    if not path.exists():  # never repeated: a mistyped URL would be echoed with its password
        raise SourceError(ERR_SOURCE_NOT_FOUND)
    if path.suffix.lower() == ".toml":
        return SourceConfig.from_toml(path, uploaded=uploaded or is_uploaded(path))
    if path.is_dir():
        return SourceConfig(path=path, origin=str(path))
    raise SourceError(ERR_UNKNOWN_SOURCE.format(source=path))


def load_source(
    source: str | Path | SourceConfig | None = None, *, as_of: dt.date | None = None, uploaded: bool = False
) -> DataBundle:
    """Read, map and validate every table of ``source``.

    Parameters
    ----------
    source : str, Path, SourceConfig or None
        A folder of ``<table>.csv|.parquet|.xlsx`` files, a SQLAlchemy URL whose
        database holds the tables, a ``.toml`` source configuration, or None for
        the bundled sample organisation.
    as_of : datetime.date, optional
        Records dated after it are rejected as "in the future". Default: the
        configuration's ``as_of``, else today.
    uploaded : bool
        The source was uploaded through the browser: a configuration may name
        only the uploaded files, never a database (``url``, ``url_env``,
        ``sql_table``, ``query``) or a server path. Sources inside the upload
        folder are always treated so.

    Returns
    -------
    DataBundle

    Raises
    ------
    SourceError
        When the source as a whole cannot be used (one clear message).
    """
    cfg = resolve_config(source, uploaded=uploaded)
    limit = as_of or cfg.as_of or dt.date.today()
    engine = make_engine(cfg.url) if cfg.url else None
    db_tables = table_names(engine) if engine is not None else set()

    accepted: dict[str, pl.DataFrame] = {}
    reports: list[TableReport] = []
    rejects: list[pl.DataFrame] = []
    notes: list[str] = []
    hashes: dict[str, str] = {}
    parents: dict[str, pl.Series] = {}
    used: set[Path] = set()
    rubric_levels: dict[str, int] = {}
    rejected_keys: dict[str, pl.DataFrame] = {}
    statements: dict[Path, StatementsRead] = {}
    for table in TABLE_ORDER:
        ts = cfg.table(table)
        try:
            case_path = _case_path(cfg, ts) if table == "competencies" else None
            found: RawRead | None
            if case_path is not None:
                framework = read_case(case_path)
                notes.extend(framework.notes)
                rubric_levels = dict(zip(framework.rubric_levels["level_ref"], framework.rubric_levels["level"]))
                found = (framework.competencies, case_path.name, _file_digest(case_path), _no_rejects())
                used.add(case_path)
            else:
                found = _read_raw(cfg, ts, table, engine, db_tables, statements, notes)
            if found is not None and cfg.path is not None:
                used.add(cfg.path / found[1])  # a folder file: its name is its label
                used.update(cfg.resolve_file(f) for f in (ts.file, ts.xapi) if f)
            if table == "evidence":
                found = _with_credentials(cfg, ts, found, parents, rubric_levels, limit, notes, used)
        except (pl.exceptions.PolarsError, PanicException) as exc:  # e.g. a database column polars cannot label
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise SourceError(ERR_READ_CRASH.format(source=cfg.origin, table=table, detail=detail)) from exc
        except RecursionError as exc:  # a document nested deeper than a reader can follow
            raise SourceError(ERR_RECURSION.format(file=cfg.origin, detail=f"table '{table}'")) from exc
        if found is None:
            if table in REQUIRED_TABLES:
                raise SourceError(
                    ERR_MISSING_TABLE.format(
                        source=cfg.origin,
                        table=table,
                        expected=f"a file {table}.csv, .parquet or .xlsx" if engine is None else f"a table '{table}'",
                    )
                )
            continue
        raw, label, digest, pre_rejects = found
        in_frame = pl.col(IN_FRAME).fill_null(False) if IN_FRAME in pre_rejects.columns else pl.lit(False)
        row_rejects = pre_rejects.filter(in_frame).select(ROW, "reason")  # ragged lines: rows of ``raw``
        where = [c for c in ("column", "value") if c in pre_rejects.columns]  # xAPI rejects name the field
        unread = pre_rejects.filter(~in_frame).select(ROW, "reason", *where)  # lines that gave no row at all
        try:
            result = validate_table(
                raw,
                table,
                label,
                as_of=limit,
                mapping=ts,
                parents=parents,
                equity_attributes=cfg.equity_attributes,
                rejected_parents=rejected_keys,
                row_rejects=row_rejects,
            )
        except (pl.exceptions.PolarsError, PanicException) as exc:
            # A last line of defence: validation turns every bad value into a reject, so reaching
            # here is a defect; the user still gets one line (a Rust panic escapes ``except Exception``).
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise SourceError(ERR_VALIDATE_CRASH.format(file=label, table=table, detail=detail)) from exc
        if unread.height:
            result = _with_pre_rejects(result, unread)
        accepted[table] = result.accepted
        hashes[table] = digest or _frame_digest(result.accepted)
        for col in CONTRACT[table].columns:
            parents[f"{table}.{col.name}"] = result.accepted.get_column(col.name)
        rejected_keys.update(result.rejected_keys)
        reports.append(TableReport(table, label, result.read, result.accepted.height, result.rejected))
        if result.rejects.height:
            rejects.append(result.rejects)
        notes.extend(result.notes)

    if engine is None and cfg.path is not None and cfg.path.is_dir():
        notes.extend(_not_read(cfg.path, used))
    version = hashlib.sha256(
        "|".join(
            [f"{t}:{h}" for t, h in sorted(hashes.items())]
            + [repr(sorted(cfg.tables.items())), cfg.equity_attributes.__repr__(), limit.isoformat()]
            + [repr(_plain_sorted(cfg.metrics))]
        ).encode()
    ).hexdigest()[:16]
    present_attrs = tuple(a for a in cfg.equity_attributes if a in accepted["employees"].columns)
    return DataBundle(
        tables=MappingProxyType(accepted),
        report=LoadReport(
            tables=tuple(reports),
            rejects=pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECT_SCHEMA),
            notes=tuple(notes),
        ),
        source=cfg.origin,
        version=version,
        equity_attributes=present_attrs,
        loaded_as_of=limit,
        input_hashes=MappingProxyType(hashes),
        metrics_overrides=cfg.metrics,
        config_origin=cfg.origin if cfg.metrics else "",
    )


def _read_raw(
    cfg: SourceConfig,
    ts: TableSource,
    table: str,
    engine,
    db_tables: set[str],
    statements: dict[Path, StatementsRead],
    notes: list[str],
) -> RawRead | None:
    """(raw frame, label, content digest or None, pre-validation rejects) or None when absent.

    xAPI files are read once per load (``statements``); their notes and the
    placeholder notes go to ``notes``."""
    no_rejects = _no_rejects()
    if ts.xapi:
        return _from_statements(cfg, table, cfg.resolve_file(ts.xapi), statements, notes)
    if ts.file:
        path = cfg.resolve_file(ts.file)
        if not path.is_file():
            raise SourceError(ERR_NOT_FOUND.format(path=path))
        raw, ragged = read_export(path, ts.sheet)
        return raw, path.name, _file_digest(path), ragged.with_columns(pl.lit(True).alias(IN_FRAME))
    if ts.sql_table or ts.query:
        if engine is None:
            raise SourceError(ERR_SQL_WITHOUT_URL.format(source=cfg.origin, table=table))
        label = ts.sql_table or f"query for {table}"
        return read_sql(engine, table, sql_table=ts.sql_table, query=ts.query), label, None, no_rejects
    if engine is not None:
        if table in db_tables:
            return read_sql(engine, table), f"{table} (database)", None, no_rejects
        return _placeholder(cfg, table, notes)
    if cfg.path is None:
        return _placeholder(cfg, table, notes)
    if not cfg.path.is_dir():
        raise SourceError(ERR_NOT_FOUND.format(path=cfg.path))
    found = find_table_file(cfg.path, table)
    if found is not None:
        raw, ragged = read_export(found)
        return raw, found.name, _file_digest(found), ragged.with_columns(pl.lit(True).alias(IN_FRAME))
    if table == "learning_events":
        for suffix in XAPI_SUFFIXES:
            candidate = cfg.path / f"learning_events{suffix}"
            if candidate.is_file():
                return _from_statements(cfg, table, candidate, statements, notes)
    return _placeholder(cfg, table, notes)


def _from_statements(
    cfg: SourceConfig, table: str, path: Path, statements: dict[Path, StatementsRead], notes: list[str]
) -> RawRead:
    """learning_events, assets or employees from an xAPI file (read once per load)."""
    if path not in statements:
        events = cfg.table("learning_events")
        options = XapiOptions.from_config(events.identity, events.verbs, events.xapi_options)
        statements[path] = read_xapi(path, options)
    read = statements[path]
    digest = _file_digest(path)
    if table == "learning_events":
        notes.extend(read.notes)
        return _all_columns(read.events, table), path.name, digest, read.rejects
    if table == "assets":
        by = cfg.table("assets").xapi_options.get("cluster", "activity_type")
        raw = read.activities.select(ROW, "asset_id", "title", pl.col(by).alias("cluster"), "format")
        return _all_columns(raw, table), f"{path.name} (activities)", digest, _no_rejects()
    raw = read.actors.select(
        ROW,
        "employee_id",
        pl.lit(XAPI_LEARNER_ROLE).alias("role_id"),
        pl.lit(XAPI_LEARNER_TEAM).alias("team"),
        pl.col("first_date").alias("hire_date"),
    )
    return _all_columns(raw, table), f"{path.name} (actors)", digest, _no_rejects()


def _placeholder(cfg: SourceConfig, table: str, notes: list[str]) -> RawRead | None:
    """A stand-in required table when employees come from xAPI actors; otherwise None (absent)."""
    if table not in _PLACEHOLDERS or not cfg.table("employees").xapi:
        return None
    what, columns = _PLACEHOLDERS[table]
    raw = pl.DataFrame(columns, schema={c: pl.String for c in columns})
    raw = raw.with_columns(pl.Series(ROW, [f"placeholder {i}" for i in range(1, raw.height + 1)], dtype=pl.String))
    notes.append(NOTE_XAPI_PLACEHOLDER.format(table=table, what=what))
    return _all_columns(raw, table), f"{table} (placeholder)", None, _no_rejects()


def _all_columns(raw: pl.DataFrame, table: str) -> pl.DataFrame:
    """Every contract column, null where a frame built here has nothing (no "column not found" notes)."""
    missing = [c for c in CONTRACT[table].column_names if c not in raw.columns]
    return raw.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)


def _no_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={ROW: pl.String, "reason": pl.String})


def _case_path(cfg: SourceConfig, ts: TableSource) -> Path | None:
    """The CASE CFPackage for competencies: ``case = ...`` or a ``competencies.json`` with no table file."""
    if ts.case:
        path = cfg.resolve_file(ts.case)
        if not path.is_file():
            raise SourceError(ERR_NOT_FOUND.format(path=path))
        return path
    if ts.file or ts.sql_table or ts.query or cfg.path is None or not cfg.path.is_dir():
        return None
    if find_table_file(cfg.path, "competencies") is None and (cfg.path / CASE_FILE).is_file():
        return cfg.path / CASE_FILE
    return None


def _credential_paths(cfg: SourceConfig, ts: TableSource) -> list[Path]:
    """Credentials for evidence: ``credentials = ...``, else a ``credentials/`` folder,
    ``*.credential.json`` files and an ``evidence.json`` in the source folder."""
    if ts.credentials:
        return [cfg.resolve_file(ts.credentials)]
    if cfg.path is None or not cfg.path.is_dir():
        return []
    found = [cfg.path / CREDENTIALS_FOLDER] if (cfg.path / CREDENTIALS_FOLDER).is_dir() else []
    found += sorted(p for p in cfg.path.glob("*" + CREDENTIAL_FILE_SUFFIX) if p.is_file())
    if (cfg.path / "evidence.json").is_file() and not ts.file:
        found.append(cfg.path / "evidence.json")
    return found


def _with_credentials(
    cfg: SourceConfig,
    ts: TableSource,
    found: RawRead | None,
    parents: Mapping[str, pl.Series],
    rubric_levels: Mapping[str, int],
    as_of: dt.date,
    notes: list[str],
    used: set[Path],
) -> RawRead | None:
    """Add the rows of Open Badges credentials to the evidence read so far (or make it)."""
    paths = _credential_paths(cfg, ts)
    if not paths:
        return found
    comp_ids = parents.get("competencies.competency_id")
    uris = parents.get("competencies.uri")
    competency_uris = (
        {u: c for u, c in zip(uris.to_list(), comp_ids.to_list()) if u}
        if uris is not None and comp_ids is not None
        else {}
    )
    emp = parents.get("employees.employee_id")
    options = CredentialOptions(
        identity=ts.identity,
        credential_map=ts.credential_map,
        credential_levels=ts.credential_levels,
        trusted_keys=trusted_keys(ts.trusted_keys, cfg.resolve_file),
        employee_ids=frozenset(emp.to_list()) if emp is not None else frozenset(),
        competency_uris=competency_uris,
        rubric_levels=rubric_levels,
    )
    read = read_credentials(paths, options, as_of=as_of)
    notes.extend(read.notes)
    used.update(paths)
    used.update(read.files)
    label = ", ".join(p.name for p in paths)
    digest = hashlib.sha256("".join(_file_digest(f) for f in read.files).encode()).hexdigest()
    if found is None:
        return read.raw, label, digest, read.rejects
    raw, first_label, first_digest, pre = found
    text = raw.with_columns(pl.exclude(ROW).cast(pl.String))
    merged = pl.concat([text, read.raw], how="diagonal")
    return (
        merged,
        f"{first_label} + {label}",
        hashlib.sha256(f"{first_digest}|{digest}".encode()).hexdigest(),
        pl.concat([pre, read.rejects], how="diagonal"),
    )


def _not_read(folder: Path, used: set[Path]) -> list[str]:
    """One note listing what in the source folder no table read (nothing is silently ignored)."""
    used_resolved = {p.resolve() for p in used}

    def is_used(p: Path) -> bool:
        r = p.resolve()
        return r in used_resolved or (p.is_dir() and any(u.is_relative_to(r) for u in used_resolved))

    names = sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in folder.iterdir()
        if not p.name.startswith(".") and p.suffix.lower() != ".toml" and not is_used(p)
    )
    return [NOTE_NOT_READ.format(folder=folder, names=", ".join(names))] if names else []


def _with_pre_rejects(result: TableResult, bad: pl.DataFrame) -> TableResult:
    """Add rows rejected before validation (xAPI statements, NDJSON lines that are not JSON, credentials).

    ``bad`` has ``_row`` and ``reason``, and may have ``column`` and ``value``; a row
    may have several entries and counts once in ``read``.
    """
    extra = bad.select(
        pl.lit(result.table).alias("table"),
        pl.lit(result.source).alias("source"),
        pl.col(ROW).alias("row"),
        (pl.col("column") if "column" in bad.columns else pl.lit("(whole row)")).alias("column"),
        (pl.col("value") if "value" in bad.columns else pl.lit(None, dtype=pl.String)).alias("value"),
        pl.col("reason"),
        pl.lit(None, dtype=pl.String).alias("cause"),
    )
    return TableResult(
        result.table,
        result.source,
        result.accepted,
        pl.concat([result.rejects, extra]),
        read=result.read + bad.get_column(ROW).n_unique(),
        notes=result.notes,
        rejected_keys=result.rejected_keys,
    )


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _frame_digest(frame: pl.DataFrame) -> str:
    """Content hash of a frame (order-independent; stable within one polars version)."""
    h = hashlib.sha256(str(frame.schema).encode())
    if frame.height:
        h.update(frame.hash_rows(seed=0).sort().to_numpy().tobytes())
    return h.hexdigest()


def _plain_sorted(value: object) -> object:
    """A mapping as sorted nested tuples, so its repr is stable (for the dataset version)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _plain_sorted(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_plain_sorted(v) for v in value)
    return value
