"""A person's demonstrated competencies as Open Badges 3.0 AchievementCredentials (JSON).

One credential per (employee, competency) proficiency row with a level ≥ 1
(``metrics.proficiency.proficiency`` output): the achievement is the
competency (aligned to its CASE item URI when the framework came from CASE),
the level is stated in the achievement name and as an alignment ``targetCode``,
and ``validFrom`` is the last evidence date. Credentials are unsigned unless a
signing key is given (``signing_key_from_env``: an Ed25519 PEM or JWK file
named by ``TR_OB3_SIGNING_KEY``), then they carry an ``eddsa-rdfc-2022``
proof whose key is the issuer's did:key. Every credential is checked against
the shipped JSON Schema before it is returned (``validate_credential``).

The schema file ``data_sources/schemas/ob_v3p0_achievementcredential_schema.json``
is NOT the official 1EdTech file (which could not be obtained offline): it is
written from the specification's data model and says so in its title.

Example
-------
>>> import datetime as dt, polars as pl
>>> prof = pl.DataFrame({"employee_id": ["E1"], "competency_id": ["SQL"], "level": [3],
...                      "evidence_weight": [2.0], "n_evidence": [2], "last_observed_on": [dt.date(2026, 5, 1)]})
>>> comp = pl.DataFrame({"competency_id": ["SQL"], "name": ["SQL"], "category": ["technical"]})
>>> creds = export_credentials(prof, comp, "E1", issuer=Issuer("https://hr.example", "Acme HR"))
>>> creds[0]["credentialSubject"]["achievement"]["name"], validate_credential(creds[0])
('SQL – level 3 (Adapt)', [])
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from data_sources.errors import SourceError
from data_sources.proof import OB_V3_CONTEXT, VC_V2, did_key, load_private_key, sign_credential

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "ob_v3p0_achievementcredential_schema.json"
SIGNING_KEY_ENV = "TR_OB3_SIGNING_KEY"
LEVEL_NAMES = {1: "Identify", 2: "Apply", 3: "Adapt", 4: "Optimize", 5: "Innovate"}
ERR_SIGNING_KEY = "{var}={path}: cannot use it as an Ed25519 signing key (PEM or JWK): {detail}"
ERR_SCHEMA = "exported credential {id} does not match the Open Badges 3.0 schema: {detail}"


@dataclass(frozen=True)
class Issuer:
    """Who issues the exported credentials (a did:key replaces ``id`` when they are signed)."""

    id: str
    name: str


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft201909Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def validate_credential(credential: Mapping[str, Any]) -> list[str]:
    """Schema problems of one credential (``path: message``); empty when it validates."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(_validator().iter_errors(credential), key=lambda e: list(map(str, e.absolute_path)))
    ]


def signing_key_from_env(var: str = SIGNING_KEY_ENV) -> Any:
    """The Ed25519 private key in the file named by ``$var``, or None when it is unset."""
    path = os.environ.get(var)
    if not path:
        return None
    try:
        return load_private_key(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(ERR_SIGNING_KEY.format(var=var, path=path, detail=exc)) from exc


def export_credentials(
    proficiency: pl.DataFrame,
    competencies: pl.DataFrame,
    employee_id: str,
    *,
    issuer: Issuer,
    subject_id: str | None = None,
    signing_key: Any = None,
    issued: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """AchievementCredentials for ``employee_id``'s demonstrated competencies (level ≥ 1).

    Parameters
    ----------
    proficiency : pl.DataFrame
        ``metrics.proficiency.proficiency`` output (employee_id, competency_id, level, ..., last_observed_on).
    competencies : pl.DataFrame
        The competencies table (name; uri and statement when imported from CASE).
    employee_id : str
        Whose competencies.
    issuer : Issuer
        The issuing organisation.
    subject_id : str, optional
        The recipient's identifier in the credential (a DID or URI); default ``urn:employee:<id>``.
    signing_key : Ed25519PrivateKey, optional
        Sign each credential (``eddsa-rdfc-2022``); see ``signing_key_from_env``.
    issued : datetime, optional
        Proof creation time (default: now, UTC).

    Raises
    ------
    SourceError
        When a credential does not validate against the schema (a bug, not bad input).
    """
    comp = {r["competency_id"]: r for r in competencies.iter_rows(named=True)}
    rows = proficiency.filter((pl.col("employee_id") == employee_id) & (pl.col("level") >= 1)).sort("competency_id")
    issued = issued or dt.datetime.now(dt.UTC).replace(microsecond=0)
    issuer_id = did_key(signing_key.public_key()) if signing_key is not None else issuer.id
    out = []
    for r in rows.iter_rows(named=True):
        c = comp.get(r["competency_id"], {})
        level = int(r["level"])
        name = str(c.get("name") or r["competency_id"])
        achievement: dict[str, Any] = {
            "id": c.get("uri") or f"{issuer.id.rstrip('/')}/competencies/{r['competency_id']}/level/{level}",
            "type": ["Achievement"],
            "achievementType": "Competency",
            "name": f"{name} – level {level} ({LEVEL_NAMES.get(level, level)})",
            "description": str(c.get("statement") or name),
            "criteria": {
                "narrative": f"Demonstrated at level {level} of 5 by {r.get('n_evidence', 0)} weighted evidence item(s)."
            },
            "humanCode": str(r["competency_id"]),
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": name,
                    "targetUrl": c.get("uri") or f"{issuer.id.rstrip('/')}/competencies/{r['competency_id']}",
                    "targetCode": f"{r['competency_id']}@{level}",
                    "targetType": "CFItem" if c.get("uri") else "ext:Competency",
                }
            ],
        }
        observed = r.get("last_observed_on") or issued.date()
        seed = "|".join([issuer.id, employee_id, str(r["competency_id"]), str(level), str(observed)])
        credential = {
            "@context": [VC_V2, OB_V3_CONTEXT],
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer.name},
            "validFrom": f"{observed.isoformat()}T00:00:00Z",
            "name": achievement["name"],
            "credentialSubject": {
                "id": subject_id or f"urn:employee:{employee_id}",
                "type": ["AchievementSubject"],
                "achievement": achievement,
            },
        }
        if signing_key is not None:
            credential = sign_credential(credential, signing_key, created=issued.isoformat().replace("+00:00", "Z"))
        problems = validate_credential(credential)
        if problems:
            raise SourceError(ERR_SCHEMA.format(id=credential["id"], detail="; ".join(problems)))
        out.append(credential)
    return out


__all__ = ["Issuer", "export_credentials", "signing_key_from_env", "validate_credential"]
