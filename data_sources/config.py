"""Source configuration: where each table comes from and how its columns map.

A source configuration is a TOML file saved next to the exports, so the same
export loads the same way next month::

    [source]
    path = "exports"                 # folder of files, relative to this file
    # url_env = "TR_DATABASE_URL"    # or a SQLAlchemy URL kept in an environment variable
    as_of = "2026-09-30"             # records dated after this are rejected as future
    extra_equity_attributes = ["veteran"]
    engine = "duckdb"                # where event-level metrics run: polars | duckdb | source | spark
    # spark_master = "spark://host:7077"  # engine = "spark": the cluster (default local[2])

    [metrics.equity]                 # metric parameters, as in a ``cli.py compute --config`` file
    min_group_size = 15

    [tables.employees]
    file = "hris.csv"                # in [source] path, else next to this file; or sql_table = "...", or query = "SELECT ..."
    [tables.employees.columns]       # source column -> canonical column
    "Worker ID" = "employee_id"
    [tables.employees.values.gender] # canonical column -> {source value -> value}
    M = "Man"
    [tables.employees.date_formats]
    hire_date = ["%m/%d/%Y", "%m/%d/%y"]

    [tables.competencies]
    case = "framework.json"          # a 1EdTech CASE CFPackage (data_sources.case)
    [tables.evidence]
    file = "evidence.csv"
    credentials = "badges/"          # Open Badges 3.0 credentials beside the tabular evidence
    [tables.evidence.identity.map]   # credentialSubject.id or (hashed) identifier -> employee_id
    "did:example:ebfeb1f712ebc6f1c276e12ec21" = "E1"
    [tables.evidence.credential_map] # achievement id / alignment URL -> competency_id
    "https://example.com/achievements/teamwork" = "C7"
    [tables.evidence.credential_levels]
    default = 3

Every file a configuration names (``[source] path``, a table's ``file``,
``xapi``, ``case`` or ``credentials``) must lie inside the configuration's own folder: ``../`` and absolute
paths are refused, unless they fall inside a folder the operator allows in the
``TR_ALLOWED_ROOTS`` environment variable (folders separated by ``:``). A
configuration uploaded through the browser (``uploaded=True``) may name only the
files uploaded with it: no ``url``, ``url_env``, ``sql_table``, ``query`` or
``path``, and file names without folders.

Example
-------
>>> cfg = SourceConfig.from_dict({"tables": {"roles": {"file": "jobs.csv",
...                                           "columns": {"Job Code": "role_id"}}}})
>>> cfg.tables["roles"].columns["Job Code"]
'role_id'
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from data_sources.contract import CONTRACT, DEFAULT_EQUITY_ATTRIBUTES, VERBS
from data_sources.errors import (
    ERR_CONFIG,
    ERR_CONFIG_BAD_VALUE,
    ERR_CONFIG_METRICS_TABLE,
    ERR_CONFIG_SCALE_TABLE,
    ERR_CONFIG_TABLE_SOURCE,
    ERR_CONFIG_TYPE,
    ERR_CONFIG_UNKNOWN_KEY,
    ERR_CONFIG_UNKNOWN_TABLE,
    ERR_PATH_OUTSIDE,
    ERR_UPLOADED_FILE,
    ERR_UPLOADED_KEY,
    SourceError,
)

_TABLE_KEYS = (
    "file",
    "sql_table",
    "query",
    "xapi",
    "sheet",
    "distinct",
    "columns",
    "values",
    "date_formats",
    "derive",
    "rescale",
    "identity",
    "constants",
    "credentials",
    "case",
    "credential_map",
    "credential_levels",
    "trusted_keys",
    "scale",
    "verbs",
    "xapi_options",
)
#: ``identity`` keys (how an xAPI actor becomes an employee_id).
_IDENTITY_KEYS = ("actor", "map")
#: ``xapi_options`` keys per table that can be read from xAPI statements.
_XAPI_OPTION_KEYS = {
    "learning_events": ("stored_as_timestamp", "credit_group_members", "builtin_verbs"),
    "assets": ("cluster",),
    "employees": (),
}
_ACTOR_MODES = ("auto", "account", "mbox", "mbox_local", "mbox_sha1sum", "openid")
_VERB_TARGETS = (*VERBS, "ignore")
_CLUSTER_SOURCES = ("activity_type", "course")
_SOURCE_KEYS = (
    "path",
    "url",
    "url_env",
    "as_of",
    "equity_attributes",
    "extra_equity_attributes",
    "drop_equity_attributes",
    "engine",
    "spark_master",
)
#: Where the event-level metrics can run (``metrics.engines``); "polars" is the default.
ENGINE_NAMES: tuple[str, ...] = ("polars", "duckdb", "source", "spark")
ERR_CONFIG_ENGINE = "[source] engine = {value!r} is not known; expected one of: {expected}"


#: Environment variable: extra folders (``os.pathsep``-separated) a configuration's paths may point into.
ALLOWED_ROOTS_ENV = "TR_ALLOWED_ROOTS"
#: Keys an uploaded configuration may not use: they name databases or server paths.
_UPLOAD_FORBIDDEN_SOURCE = ("path", "url", "url_env", "spark_master")
_UPLOAD_FORBIDDEN_TABLE = ("sql_table", "query")


def allowed_roots() -> tuple[Path, ...]:
    """The folders the operator allows beyond a configuration's own (``TR_ALLOWED_ROOTS``), resolved.

    Example
    -------
    >>> import os
    >>> os.environ.pop(ALLOWED_ROOTS_ENV, None) and None
    >>> allowed_roots()
    ()
    """
    text = os.environ.get(ALLOWED_ROOTS_ENV, "")
    return tuple(Path(p).expanduser().resolve() for p in text.split(os.pathsep) if p.strip())


def _inside(path: Path, areas: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(area) for area in areas)


def _frozen(d: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(d or {}))


_TEXT = "text (a quoted string)"
_SCALAR = (str, int, float, bool)
_IDENTITY_ACTORS = ("auto", "account", "mbox", "mbox_local", "mbox_sha1sum", "openid")


def _type_error(section: str, key: str, expected: str, value: object) -> ValueError:
    return ValueError(ERR_CONFIG_TYPE.format(section=section, key=key, expected=expected, value=value))


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _check_table_types(table: str, d: Mapping[str, Any]) -> None:
    """Every key of ``[tables.<table>]`` has the type the documentation gives, else one ``ValueError`` line."""
    section = f"tables.{table}"
    for key in ("file", "sql_table", "query", "xapi", "sheet", "credentials", "case"):
        if key in d and not isinstance(d[key], str):
            raise _type_error(section, key, _TEXT, d[key])
    if "distinct" in d and not isinstance(d["distinct"], bool):
        raise _type_error(section, "distinct", "true or false", d["distinct"])
    for key in ("columns", "derive", "credential_map", "trusted_keys"):
        value = d.get(key, {})
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise _type_error(section, key, 'a table of text values (name = "...")', value)
    values = d.get("values", {})
    if not isinstance(values, Mapping):
        raise _type_error(section, "values", "a table of value maps ([tables.<t>.values.<column>])", values)
    for column, vmap in values.items():
        if not isinstance(vmap, Mapping) or not all(isinstance(v, _SCALAR) for v in vmap.values()):
            raise _type_error(f"{section}.values", column, "a table of source value = value", vmap)
    formats = d.get("date_formats", {})
    if not isinstance(formats, Mapping):
        raise _type_error(section, "date_formats", "a table of column = format or [formats]", formats)
    for column, fmts in formats.items():
        ok = isinstance(fmts, str) or (isinstance(fmts, list) and fmts and all(isinstance(f, str) for f in fmts))
        if not ok:
            raise _type_error(f"{section}.date_formats", column, 'a format such as "%m/%d/%Y" or a list of them', fmts)
    rescale = d.get("rescale", {})
    if not isinstance(rescale, Mapping):
        raise _type_error(section, "rescale", "a table of column = { from = [a, b], to = [c, d] }", rescale)
    for column, spec in rescale.items():
        where = f"{section}.rescale"
        if not isinstance(spec, Mapping) or set(spec) - {"from", "to", "round"}:
            raise _type_error(where, column, "{ from = [a, b], to = [c, d], round = true|false }", spec)
        for end in ("from", "to"):
            pair = spec.get(end)
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(_is_number(x) for x in pair) and pair[0] != pair[1]
            ):
                raise _type_error(f"{where}.{column}", end, "two different finite numbers [a, b]", pair)
        if "round" in spec and not isinstance(spec["round"], bool):
            raise _type_error(f"{where}.{column}", "round", "true or false", spec["round"])
    identity = d.get("identity", {})
    if not isinstance(identity, Mapping):
        raise _type_error(section, "identity", 'a table (actor = "account", map = {...})', identity)
    if "actor" in identity and identity["actor"] not in _IDENTITY_ACTORS:
        raise _type_error(f"{section}.identity", "actor", "one of " + ", ".join(_IDENTITY_ACTORS), identity["actor"])
    id_map = identity.get("map", {})
    if not isinstance(id_map, Mapping) or not all(isinstance(v, str) for v in id_map.values()):
        raise _type_error(f"{section}.identity", "map", "a table of actor = employee id (text)", id_map)
    constants = d.get("constants", {})
    if not isinstance(constants, Mapping) or not all(isinstance(v, _SCALAR) for v in constants.values()):
        raise _type_error(section, "constants", "a table of column = value (text, number or true/false)", constants)
    levels = d.get("credential_levels", {})
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in getattr(levels, "values", lambda: [None])())
    if not isinstance(levels, Mapping) or not whole:
        raise _type_error(section, "credential_levels", "a table of name = level (a whole number 1 to 5)", levels)
    if "scale" in d:
        if table != "performance":
            raise ValueError(ERR_CONFIG_SCALE_TABLE.format(table=table))
        sc = d["scale"]
        if not (isinstance(sc, list) and len(sc) == 2 and all(_is_number(x) for x in sc) and sc[0] < sc[1]):
            raise _type_error(section, "scale", "[lowest, highest] rating, two finite numbers", sc)


def _check_source_types(src: Mapping[str, Any]) -> None:
    """Every key of ``[source]`` has its documented type, else one ``ValueError`` line."""
    for key in ("path", "url", "url_env"):
        if key in src and not isinstance(src[key], str):
            raise _type_error("source", key, _TEXT, src[key])
    if "as_of" in src:
        as_of = src["as_of"]
        if isinstance(as_of, dt.datetime) or not isinstance(as_of, str | dt.date):
            raise _type_error("source", "as_of", 'a date such as "2026-09-30"', as_of)
        if isinstance(as_of, str):
            try:
                dt.date.fromisoformat(as_of)
            except ValueError:
                raise _type_error("source", "as_of", 'a date such as "2026-09-30"', as_of) from None
    for key in ("equity_attributes", "extra_equity_attributes", "drop_equity_attributes"):
        if key in src and not (isinstance(src[key], list) and all(isinstance(a, str) for a in src[key])):
            raise _type_error("source", key, 'a list of column names such as ["gender"]', src[key])


@dataclass(frozen=True)
class Rescale:
    """Linear rescaling of a numeric column from one scale onto another.

    Example
    -------
    >>> Rescale((0.0, 100.0), (1.0, 5.0), round_to_int=True).apply_value(50)
    3.0
    """

    source: tuple[float, float]
    target: tuple[float, float]
    round_to_int: bool = False

    def apply_value(self, x: float) -> float:
        (a, b), (c, d) = self.source, self.target
        y = c + (x - a) * (d - c) / (b - a)
        return float(round(y)) if self.round_to_int else y


@dataclass(frozen=True)
class TableSource:
    """Where one canonical table comes from and how it maps onto the contract."""

    table: str
    file: str | None = None
    sql_table: str | None = None
    query: str | None = None
    xapi: str | None = None
    sheet: str | None = None
    distinct: bool = False
    columns: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    values: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: _frozen({}))
    date_formats: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _frozen({}))
    derive: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    rescale: Mapping[str, Rescale] = field(default_factory=lambda: _frozen({}))
    identity: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))
    constants: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))
    #: evidence: Open Badges 3.0 credentials (a JSON file or a folder of them), read beside ``file``.
    credentials: str | None = None
    #: competencies: a CASE CFPackage JSON file.
    case: str | None = None
    #: evidence from credentials: achievement id or alignment targetUrl/targetCode -> competency_id.
    credential_map: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    #: evidence from credentials: achievement id, alignment URL or competency_id -> level 1–5; ``default`` for the rest.
    credential_levels: Mapping[str, int] = field(default_factory=lambda: _frozen({}))
    #: evidence from credentials: verification method id -> public key (PEM, JWK or did:key text, or a file holding one).
    trusted_keys: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    #: Declared rating scale ``(lowest, highest)`` of ``[tables.performance]``; ratings outside it are rejected.
    scale: tuple[float, float] | None = None
    #: xAPI verb IRI -> contract verb (or "ignore"): extends/overrides the built-in vocabulary.
    verbs: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    #: xAPI statement options (see ``_XAPI_OPTION_KEYS``).
    xapi_options: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))

    @classmethod
    def from_dict(cls, table: str, d: Mapping[str, Any]) -> TableSource:
        unknown = set(d) - set(_TABLE_KEYS)
        if unknown:
            raise ValueError(
                ERR_CONFIG_UNKNOWN_KEY.format(
                    key=sorted(unknown)[0], section=f"tables.{table}", expected=", ".join(_TABLE_KEYS)
                )
            )
        _check_table_types(table, d)
        if sum(1 for k in ("file", "sql_table", "query", "xapi", "case") if d.get(k)) > 1:
            raise ValueError(ERR_CONFIG_TABLE_SOURCE.format(table=table))
        _check_xapi_keys(table, d)
        rescale = {
            col: Rescale(
                (float(spec["from"][0]), float(spec["from"][1])),
                (float(spec["to"][0]), float(spec["to"][1])),
                bool(spec.get("round", False)),
            )
            for col, spec in (d.get("rescale") or {}).items()
        }
        formats = {
            col: (fmts,) if isinstance(fmts, str) else tuple(fmts)
            for col, fmts in (d.get("date_formats") or {}).items()
        }
        return cls(
            table=table,
            file=d.get("file"),
            sql_table=d.get("sql_table"),
            query=d.get("query"),
            xapi=d.get("xapi"),
            sheet=d.get("sheet"),
            distinct=bool(d.get("distinct", False)),
            columns=_frozen(d.get("columns")),
            values=_frozen({k: _frozen({str(a): b for a, b in v.items()}) for k, v in (d.get("values") or {}).items()}),
            date_formats=_frozen(formats),
            derive=_frozen(d.get("derive")),
            rescale=_frozen(rescale),
            identity=_frozen(d.get("identity")),
            constants=_frozen(d.get("constants")),
            credentials=d.get("credentials"),
            case=d.get("case"),
            credential_map=_frozen({str(k): str(v) for k, v in (d.get("credential_map") or {}).items()}),
            credential_levels=_frozen({str(k): int(v) for k, v in (d.get("credential_levels") or {}).items()}),
            trusted_keys=_frozen({str(k): str(v) for k, v in (d.get("trusted_keys") or {}).items()}),
            scale=(float(d["scale"][0]), float(d["scale"][1])) if "scale" in d else None,
            verbs=_frozen({str(k): str(v) for k, v in (d.get("verbs") or {}).items()}),
            xapi_options=_frozen(d.get("xapi_options")),
        )


def _check_xapi_keys(table: str, d: Mapping[str, Any]) -> None:
    """Refuse a misspelt or out-of-place xAPI setting with one line."""
    if d.get("xapi") and table not in _XAPI_OPTION_KEYS:
        raise ValueError(
            ERR_CONFIG_BAD_VALUE.format(
                section=f"tables.{table}",
                key="xapi",
                value=d["xapi"],
                rule="only " + ", ".join(_XAPI_OPTION_KEYS) + " can be read from xAPI statements",
            )
        )
    for key in ("verbs", "xapi_options"):
        if key in d and not isinstance(d[key], Mapping):
            raise _type_error(f"tables.{table}", key, "a table (key = value)", d[key])
    identity = d.get("identity") or {}
    unknown = set(identity) - set(_IDENTITY_KEYS)
    if unknown:
        raise ValueError(
            ERR_CONFIG_UNKNOWN_KEY.format(
                key=sorted(unknown)[0], section=f"tables.{table}.identity", expected=", ".join(_IDENTITY_KEYS)
            )
        )
    if identity.get("actor", "auto") not in _ACTOR_MODES:
        raise ValueError(
            ERR_CONFIG_BAD_VALUE.format(
                section=f"tables.{table}.identity",
                key="actor",
                value=identity["actor"],
                rule="expected one of " + ", ".join(_ACTOR_MODES),
            )
        )
    for iri, verb in (d.get("verbs") or {}).items():
        if verb not in _VERB_TARGETS:
            raise ValueError(
                ERR_CONFIG_BAD_VALUE.format(
                    section=f"tables.{table}.verbs",
                    key=f'"{iri}"',
                    value=verb,
                    rule="expected one of " + ", ".join(_VERB_TARGETS),
                )
            )
    options = d.get("xapi_options") or {}
    allowed = _XAPI_OPTION_KEYS.get(table, ())
    unknown = set(options) - set(allowed)
    if unknown:
        raise ValueError(
            ERR_CONFIG_UNKNOWN_KEY.format(
                key=sorted(unknown)[0],
                section=f"tables.{table}.xapi_options",
                expected=", ".join(allowed) or "(none for this table)",
            )
        )
    for key in ("stored_as_timestamp", "credit_group_members", "builtin_verbs"):
        if key in options and not isinstance(options[key], bool):
            raise ValueError(
                ERR_CONFIG_BAD_VALUE.format(
                    section=f"tables.{table}.xapi_options", key=key, value=options[key], rule="expected true or false"
                )
            )
    if "cluster" in options and options["cluster"] not in _CLUSTER_SOURCES:
        raise ValueError(
            ERR_CONFIG_BAD_VALUE.format(
                section=f"tables.{table}.xapi_options",
                key="cluster",
                value=options["cluster"],
                rule="expected one of " + ", ".join(_CLUSTER_SOURCES),
            )
        )


@dataclass(frozen=True)
class SourceConfig:
    """A whole source: its location, as-of date, equity attributes and table sources."""

    path: Path | None = None
    url: str | None = None
    as_of: dt.date | None = None
    equity_attributes: tuple[str, ...] = DEFAULT_EQUITY_ATTRIBUTES
    tables: Mapping[str, TableSource] = field(default_factory=lambda: _frozen({}))
    origin: str = "<config>"
    base_dir: Path | None = None
    #: The ``[metrics]`` table as written (same sections and keys as a ``--config`` file);
    #: checked and applied by ``metrics.config.MetricsConfig``, not here.
    metrics: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))
    #: Where the event-level metrics run (``[source] engine``; one of ``ENGINE_NAMES``).
    engine: str = "polars"
    #: ``engine = "spark"``: the Spark master URL (None: local mode).
    spark_master: str | None = None
    #: Uploaded through a browser: files only from ``base_dir``, whatever ``TR_ALLOWED_ROOTS`` says.
    uploaded: bool = False

    @classmethod
    def from_dict(
        cls, d: Mapping[str, Any], base_dir: Path | None = None, origin: str = "<config>", uploaded: bool = False
    ) -> SourceConfig:
        """Build from a parsed TOML mapping; relative paths resolve against ``base_dir``.

        With a ``base_dir`` (a configuration file's folder) every path named must
        stay inside it or inside a folder of ``TR_ALLOWED_ROOTS``; with
        ``uploaded`` only bare names of files in ``base_dir`` are allowed, and
        no database. A refused configuration raises ``ValueError`` with one line.
        """
        if not isinstance(d.get("source", {}), Mapping):
            raise _type_error("top level", "source", "a table [source]", d["source"])
        if not isinstance(d.get("tables", {}), Mapping):
            raise _type_error("top level", "tables", "a table of [tables.<name>] sections", d["tables"])
        src = dict(d.get("source") or {})
        _check_source_types(src)
        unknown = set(src) - set(_SOURCE_KEYS)
        if unknown:
            raise ValueError(
                ERR_CONFIG_UNKNOWN_KEY.format(
                    key=sorted(unknown)[0], section="source", expected=", ".join(_SOURCE_KEYS)
                )
            )
        unknown_sections = set(d) - {"source", "tables", "metrics"}
        if unknown_sections:
            raise ValueError(
                ERR_CONFIG_UNKNOWN_KEY.format(
                    key=sorted(unknown_sections)[0], section="top level", expected="source, tables, metrics"
                )
            )
        metrics = d.get("metrics") or {}
        if not isinstance(metrics, Mapping):
            raise ValueError(ERR_CONFIG_METRICS_TABLE.format(value=metrics))
        tables = {}
        for name, spec in (d.get("tables") or {}).items():
            if name not in CONTRACT:
                raise ValueError(ERR_CONFIG_UNKNOWN_TABLE.format(table=name, expected=", ".join(CONTRACT)))
            if not isinstance(spec, Mapping):
                raise _type_error("tables", name, f"a table [tables.{name}]", spec)
            tables[name] = TableSource.from_dict(name, spec)
        if uploaded:
            _check_uploaded(src, tables)
        elif base_dir is not None:
            _check_inside(src, tables, base_dir)
        path = src.get("path")
        if path is not None:
            path = Path(path)
            if base_dir is not None and not path.is_absolute():
                path = base_dir / path
        elif base_dir is not None:
            path = base_dir
        url = src.get("url")
        if src.get("url_env"):
            url = os.environ.get(src["url_env"], url)
        as_of = src.get("as_of")
        if isinstance(as_of, str):
            as_of = dt.date.fromisoformat(as_of)
        engine = str(src.get("engine", "polars"))
        if engine not in ENGINE_NAMES:
            raise ValueError(ERR_CONFIG_ENGINE.format(value=engine, expected=", ".join(ENGINE_NAMES)))
        attrs = list(src.get("equity_attributes", DEFAULT_EQUITY_ATTRIBUTES))
        attrs += [a for a in src.get("extra_equity_attributes", []) if a not in attrs]
        attrs = [a for a in attrs if a not in set(src.get("drop_equity_attributes", []))]
        return cls(
            path=path,
            url=url,
            as_of=as_of,
            equity_attributes=tuple(attrs),
            tables=_frozen(tables),
            origin=origin,
            base_dir=base_dir,
            metrics=_frozen(metrics),
            engine=engine,
            spark_master=src.get("spark_master"),
            uploaded=uploaded,
        )

    @classmethod
    def from_toml(cls, file: str | Path, uploaded: bool = False) -> SourceConfig:
        """Read a source configuration file; any problem is one ``SourceError``.

        ``uploaded``: the file came from a browser, so it may name only the files beside it.
        """
        file = Path(file)
        try:
            with open(file, "rb") as fh:
                data = tomllib.load(fh)
            return cls.from_dict(data, base_dir=file.parent, origin=str(file), uploaded=uploaded)
        except FileNotFoundError as exc:
            raise SourceError(ERR_CONFIG.format(file=file, detail="no such file")) from exc
        except (tomllib.TOMLDecodeError, ValueError, KeyError, TypeError, OSError) as exc:
            raise SourceError(ERR_CONFIG.format(file=file, detail=exc)) from exc

    def resolve_file(self, name: str) -> Path:
        """A file the configuration names: looked up in ``[source] path`` first, then next to the configuration.

        For a configuration file, the result must lie inside its folder (or, unless
        uploaded, a ``TR_ALLOWED_ROOTS`` folder): every file read through a
        configuration (tables, xAPI, CASE, credentials, key files) passes here.

        Raises
        ------
        SourceError
            The file is outside the folders allowed.
        """
        candidate = (self.path or Path(".")) / name
        if not candidate.exists() and self.base_dir is not None and (self.base_dir / name).exists():
            candidate = self.base_dir / name
        if self.base_dir is not None:
            areas = (self.base_dir.resolve(),) if self.uploaded else (self.base_dir.resolve(), *allowed_roots())
            if not _inside(candidate, areas):
                detail = ERR_PATH_OUTSIDE.format(section="tables", name=name, env=ALLOWED_ROOTS_ENV)
                raise SourceError(ERR_CONFIG.format(file=self.origin, detail=detail))
        return candidate

    def table(self, name: str) -> TableSource:
        """The table's source, or the default (a file named after the table)."""
        return self.tables.get(name) or TableSource(table=name)


def _named_files(tables: Mapping[str, TableSource]) -> list[tuple[str, str]]:
    """(section, name) of every file the tables name."""
    return [
        (f"tables.{t.table}", name)
        for t in tables.values()
        for name in (t.file, t.xapi, t.case, t.credentials)
        if isinstance(name, str)
    ]


def _check_inside(src: Mapping[str, Any], tables: Mapping[str, TableSource], base_dir: Path) -> None:
    """Every path stays inside the configuration's folder or an allowed root (``ValueError`` otherwise)."""
    areas = (base_dir.resolve(), *allowed_roots())
    folder = base_dir
    if src.get("path") is not None:
        folder = base_dir / str(src["path"])
        if not _inside(folder, areas):
            raise ValueError(ERR_PATH_OUTSIDE.format(section="source", name=str(src["path"]), env=ALLOWED_ROOTS_ENV))
    for section, name in _named_files(tables):
        if not all(_inside(where / name, areas) for where in {folder, base_dir}):
            raise ValueError(ERR_PATH_OUTSIDE.format(section=section, name=name, env=ALLOWED_ROOTS_ENV))


def _check_uploaded(src: Mapping[str, Any], tables: Mapping[str, TableSource]) -> None:
    """An uploaded configuration names only bare file names: no database, no server path."""
    for key in _UPLOAD_FORBIDDEN_SOURCE:
        if src.get(key) is not None:
            raise ValueError(ERR_UPLOADED_KEY.format(section="source", key=key))
    for t in tables.values():
        for key in _UPLOAD_FORBIDDEN_TABLE:
            if getattr(t, key):
                raise ValueError(ERR_UPLOADED_KEY.format(section=f"tables.{t.table}", key=key))
    for section, name in _named_files(tables):
        if Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(ERR_UPLOADED_FILE.format(section=section, name=name))
