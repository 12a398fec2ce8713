"""Learning-impact results kept on disk in the product's store, reused across restarts.

A result is keyed by the dataset version (the bundle's content hash), the
as-of date and ``config_hash`` of the learning configuration (every field
that can change the estimates; ``n_jobs`` and ``learner_threads`` cannot and
are left out). It is stored as a zip of Arrow IPC frames plus a small JSON
header (``result_to_bytes``), never as a pickle: reading it back runs no
code. A payload that cannot be read (another format version, damaged bytes)
counts as no stored result.

Example
-------
>>> import datetime as dt
>>> from data_sources.store import store_engine
>>> from metrics.learning._features import _example_tables, build_learning_features
>>> from metrics.learning._impact import estimate_learning_impact
>>> engine = store_engine("sqlite://")
>>> res = estimate_learning_impact(build_learning_features(_example_tables()))
>>> save_fit(res, "v1", dt.date(2025, 12, 31), engine=engine)
>>> load_fit("v1", dt.date(2025, 12, 31), engine=engine).effects.equals(res.effects)
True
>>> load_fit("v1", dt.date(2025, 6, 30), engine=engine) is None
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import zipfile

import polars as pl
import sqlalchemy as sa

from data_sources.fit_store import load_blob, save_blob
from metrics.config import LearningImpactConfig
from metrics.learning._impact import LearningImpactResult

#: The ``kind`` of learning-impact results in the store's fitted-results table.
FIT_KIND = "learning_impact"
#: Bumped when the stored layout or the meaning of a result changes: older payloads are ignored.
FORMAT_VERSION = 1
#: Configuration fields that do not change the estimates (left out of the key).
NOT_IN_KEY: tuple[str, ...] = ("n_jobs", "learner_threads")
_FRAMES: tuple[str, ...] = ("effects", "naive", "model_check", "secondary")


def config_hash(config: LearningImpactConfig | None = None) -> str:
    """A stable hex digest of the configuration fields that can change a result.

    Example
    -------
    >>> config_hash() == config_hash(LearningImpactConfig(n_jobs=2))
    True
    >>> config_hash() == config_hash(LearningImpactConfig(seed=8))
    False
    """
    fields = dataclasses.asdict(config or LearningImpactConfig())
    payload = {k: v for k, v in sorted(fields.items()) if k not in NOT_IN_KEY}
    payload["_format"] = FORMAT_VERSION
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


def result_to_bytes(result: LearningImpactResult) -> bytes:
    """A zip with ``meta.json`` and one Arrow IPC file per frame.

    Example
    -------
    >>> from metrics.learning._features import _example_tables, build_learning_features
    >>> from metrics.learning._impact import estimate_learning_impact
    >>> res = estimate_learning_impact(build_learning_features(_example_tables()))
    >>> back = result_from_bytes(result_to_bytes(res))
    >>> all(getattr(back, f).equals(getattr(res, f)) for f in ("effects", "naive", "model_check", "secondary"))
    True
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        meta = {
            "format": FORMAT_VERSION,
            "n_observations": result.n_observations,
            "n_employees": result.n_employees,
        }
        archive.writestr("meta.json", json.dumps(meta))
        for name in _FRAMES:
            frame_bytes = io.BytesIO()
            getattr(result, name).write_ipc(frame_bytes)
            archive.writestr(f"{name}.arrow", frame_bytes.getvalue())
    return buffer.getvalue()


def result_from_bytes(payload: bytes) -> LearningImpactResult | None:
    """The result back from ``result_to_bytes``; None for another format version or damaged bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            meta = json.loads(archive.read("meta.json"))
            if meta.get("format") != FORMAT_VERSION:
                return None
            frames = {name: pl.read_ipc(io.BytesIO(archive.read(f"{name}.arrow"))) for name in _FRAMES}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, pl.exceptions.PolarsError):
        return None
    return LearningImpactResult(
        frames["effects"],
        frames["naive"],
        frames["model_check"],
        frames["secondary"],
        int(meta["n_observations"]),
        int(meta["n_employees"]),
    )


def save_fit(
    result: LearningImpactResult,
    dataset_version: str,
    as_of: dt.date,
    config: LearningImpactConfig | None = None,
    engine: sa.Engine | None = None,
) -> None:
    """Keep ``result`` in the product's store (default: ``data_sources.store.store_engine()``).

    Raises
    ------
    data_sources.errors.SourceError
        One line when the store cannot be written.
    """
    save_blob(FIT_KIND, dataset_version, as_of, config_hash(config), result_to_bytes(result), engine=engine)


def load_fit(
    dataset_version: str,
    as_of: dt.date,
    config: LearningImpactConfig | None = None,
    engine: sa.Engine | None = None,
) -> LearningImpactResult | None:
    """The stored result for (dataset version, as-of date, configuration), or None.

    Raises
    ------
    data_sources.errors.SourceError
        One line when the store cannot be read.
    """
    payload = load_blob(FIT_KIND, dataset_version, as_of, config_hash(config), engine=engine)
    return None if payload is None else result_from_bytes(payload)
