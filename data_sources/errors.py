"""Error messages of the data sources, as constants, and the one error type users see.

A ``SourceError`` is a problem with a whole source (an unreadable file, a
missing required column, a database that does not answer). Its message is one
clear line naming the file, the column and what was expected; the app and the
CLI show it as such, never as a traceback. Row-level problems are not errors:
they are rejects (see ``data_sources.validate``).

Example
-------
>>> str(SourceError(ERR_MISSING_COLUMN.format(file="roles.csv", column="title", table="roles",
...                                            expected="title, ladder, level")))
"roles.csv: required column 'title' of table 'roles' is missing (required columns: title, ladder, level)"
"""

from __future__ import annotations


class SourceError(Exception):
    """A source that cannot be loaded at all; the message is shown to the user verbatim."""


# Source-level errors (one clear line each)
ERR_MISSING_COLUMN = "{file}: required column '{column}' of table '{table}' is missing (required columns: {expected})"
ERR_MISSING_TABLE = "{source}: required table '{table}' was not found (expected {expected})"
ERR_UNREADABLE = "{file}: cannot be read as {kind}: {detail}"
ERR_NOT_FOUND = "{path}: no such file or folder"
ERR_UNKNOWN_SOURCE = (
    "{source}: not a folder, a .toml source configuration or a SQLAlchemy URL "
    "(e.g. sqlite:///talent.db, postgresql+psycopg://user@host/db)"
)
ERR_SQL_WITHOUT_URL = "{source}: [tables.{table}] reads SQL but [source] has no url"
ERR_DB_CONNECT = "{url}: cannot connect to the database: {detail}"
ERR_DB_QUERY = "{url}: query for table '{table}' failed: {detail}"
ERR_DB_WRITE = "{url}: writing table '{table}' failed, the previous tables are unchanged: {detail}"
ERR_DB_READ_ONLY = "{url}: cannot open a read-only transaction, so nothing is read: {detail}"
ERR_QUERY_REFUSED = (
    "[tables.{table}] query refused: {reason}; only one read-only SELECT (or WITH ... SELECT) may be configured"
)
ERR_SOURCE_NOT_FOUND = (
    "the source is neither a folder, a .toml file nor a database URL "
    "(no such file or folder; what was typed is not repeated, as it may hold a password)"
)
ERR_PATH_OUTSIDE = (
    "[{section}] names {name!r}, which is outside the configuration's folder "
    "(an operator can allow other folders with the {env} environment variable)"
)
ERR_UPLOADED_KEY = (
    "an uploaded configuration may name only the uploaded files, not [{section}] {key} "
    "(databases and server paths are configured by the operator)"
)
ERR_UPLOADED_DATABASE = "an uploaded source cannot be a database; databases are configured by the operator"
ERR_UPLOADED_FILE = "[{section}] names {name!r}: an uploaded configuration may name only the uploaded files"
ERR_CONFIG = "{file}: {detail}"
ERR_DERIVE = "{file}: cannot derive column '{column}' from {expr!r}: {detail}"
ERR_DERIVE_COLUMNS = "{file}: cannot derive columns: {detail}"
ERR_CONFIG_UNKNOWN_TABLE = "unknown table [tables.{table}]; expected one of: {expected}"
ERR_CONFIG_TABLE_SOURCE = "[tables.{table}] must name exactly one of file, sql_table, query, xapi or case"
ERR_CONFIG_BAD_VALUE = "[{section}] {key} = {value!r} is not allowed: {rule}"
ERR_CONFIG_UNKNOWN_KEY = "unknown key '{key}' in [{section}]; expected one of: {expected}"
ERR_XAPI_JSON = (
    "{file}: not valid xAPI JSON ({detail}); expected a JSON array of statements or one statement per line (NDJSON)"
)
ERR_XAPI_NDJSON_LINE = "{file}, line {line}: not valid JSON ({detail})"

# Row-level reject reasons
REASON_MISSING = "missing required value"
REASON_TYPE = "wrong type: {value!r} is not {expected}"
REASON_FK = "unknown {target}: {value!r} is not in {table}"
REASON_DUPLICATE = "duplicate key {key} (first seen at {first})"
REASON_RANGE = "out of range: {value} (expected {expected})"
REASON_ALLOWED = "not an allowed value: {value!r} (expected one of {expected})"
REASON_FUTURE = "date in the future: {value} is after the as-of date {as_of}"
REASON_XAPI_FIELD = "xAPI statement has no {field}"
ERR_CONFIG_METRICS_TABLE = "[metrics] must be a table of sections such as [metrics.equity], got {value!r}"
REASON_NON_FINITE = "not a finite number: {value} (NaN and infinity are not data)"
REASON_TOO_LARGE = "out of range: {value} (numbers must lie between -{limit} and {limit})"
REASON_RAGGED = "ragged line: expected {expected} fields (as in the header), found {found}"
REASON_EXIT_BEFORE_HIRE = "exit date {exit} is before the hire date {hire}"
REASON_SAME_ROLE = "a movement to the same role: from_role_id and to_role_id are both {role!r}"
REASON_BEFORE_HIRE = "movement dated {date} is before the employee's hire date {hire}"
REASON_CYCLE = "next_role_id cycle: {cycle}"
REASON_KNOCK_ON = "{target} {value!r} was rejected: see {where}"
ERR_CONFIG_TYPE = "[{section}] {key} must be {expected}, got {value!r}"
ERR_CONFIG_SCALE_TABLE = "[tables.{table}] scale applies only to [tables.performance] (its rating column)"
ERR_NESTED_COLUMN = (
    "{file}: column '{column}' holds nested values ({dtype}); expected one plain value per cell (text, number or date)"
)
ERR_RECURSION = "{file}: JSON nested too deeply to read ({detail})"
ERR_DUPLICATE_HEADER = "{file}: column '{column}' appears more than once in the header"
ERR_RAGGED_UNALIGNED = (
    "{file}: line {line} has {found} fields but the header has {expected}, and the file's quoting "
    "does not let its lines be told apart safely; fix the line and load again"
)
ERR_VALIDATE_CRASH = (
    "{file}: table '{table}' could not be validated ({detail}); the file was not loaded. "
    "This is a defect of the product: please report it with the file"
)
ERR_NOT_UTF8 = (
    '{file}: line {line} is not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8 ("CSV UTF-8" in Excel)'
)
ERR_RECORDS_MISMATCH = (
    "{file}: {records} non-blank record(s) by the CSV quoting rules but {rows} row(s) read; "
    "check the file's quotes and line ends, nothing was loaded from it"
)
ERR_READ_CRASH = (
    "{source}: table '{table}' could not be read ({detail}); expected one plain value per cell (text, number or date)"
)
