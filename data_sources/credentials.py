"""Open Badges 3.0 credentials into raw ``evidence`` rows of evidence_type ``credential``.

A source gives credentials as one JSON file (one credential, a JSON array of
them, or a VerifiablePresentation's ``verifiableCredential`` list) or a folder
of such files. VC 2.0 (``validFrom``/``validUntil``) and VC 1.1
(``issuanceDate``/``expirationDate``) forms are both read. Each credential maps:

* recipient → ``employee_id``: ``credentialSubject.id``, else an
  ``identifier`` IdentityObject (plain, or ``sha256$…`` hashed with its
  ``salt``: matched against the identity map's keys and the employee ids),
  through the identity mapping ``[tables.evidence.identity.map]``;
* competency → ``competency_id``: an ``achievement.alignment`` ``targetUrl`` or
  ``targetCode`` (a CASE item URI found in competencies.uri, or an entry of
  ``credential_map``), else the ``achievement.id`` in ``credential_map``; an
  alignment nobody maps stays as it is and is rejected as an unknown competency;
* level: a CASE rubric criterion level it aligns to (or ``result.achievedLevel``),
  else ``credential_levels`` (achievement id, alignment URL or competency id,
  then ``default``);
* ``observed_on``: the date of ``validFrom`` (or ``issuanceDate``);
* ``verified``: true only when the ``eddsa-rdfc-2022`` proof (or a VC-JWT's EdDSA signature) checks
  (``data_sources.proof``), the credential is valid at the as-of date and not expired.

A credential whose proof was checked and does not match, or that has no
recipient, no date, a malformed date or no level, is a reject with the reason.
An unverifiable one (no proof, a key or context not available offline, expired)
loads unverified and the reason is listed in the notes.

Example
-------
>>> import datetime as dt
>>> vc = {"type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:x:1",
...       "issuer": {"id": "https://issuer.example", "name": "Acme"}, "validFrom": "2026-01-05T00:00:00Z",
...       "credentialSubject": {"id": "did:example:ana", "achievement": {"id": "https://a.example/sql"}}}
>>> opts = CredentialOptions(identity={"map": {"did:example:ana": "E1"}},
...                          credential_map={"https://a.example/sql": "C1"}, credential_levels={"default": 3})
>>> row, problem, _ = credential_row(vc, "badge.json", opts, as_of=dt.date(2026, 2, 1))
>>> {k: row[k] for k in ("evidence_id", "employee_id", "competency_id", "level", "observed_on", "verified")}
{'evidence_id': 'urn:x:1', 'employee_id': 'E1', 'competency_id': 'C1', 'level': '3', 'observed_on': '2026-01-05', 'verified': 'false'}
>>> problem is None
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from data_sources.errors import ERR_NOT_FOUND, ERR_RECURSION, ERR_UNREADABLE, SourceError
from data_sources.files import ROW
from data_sources.proof import ProofResult, load_public_key, verify_credential, verify_jwt

COLUMNS = ("evidence_id", "employee_id", "competency_id", "evidence_type", "level", "observed_on", "verified", "source")
CREDENTIAL_SUFFIXES = (".json", ".jsonld", ".jwt")

REASON_NOT_OBJECT = "not a credential: expected a JSON object"
REASON_NOT_CREDENTIAL = "not an Open Badges credential: type {types!r} has no VerifiableCredential/OpenBadgeCredential"
REASON_NO_SUBJECT = "credential has no credentialSubject"
REASON_NO_RECIPIENT = "credential has no recognisable recipient (no credentialSubject.id and no usable identifier)"
REASON_NO_DATE = "credential has no validFrom (VC 2.0) or issuanceDate (VC 1.1)"
REASON_BAD_DATE = "malformed date {value!r} in {field} (expected an ISO 8601 date-time)"
REASON_NO_LEVEL = "no level for this credential: align it to a CASE rubric level or configure [tables.evidence.credential_levels] (e.g. default = 3)"
REASON_EXPIRED = "expired on {date}"
REASON_NOT_YET_VALID = "not valid until {date}"
NOTE_UNVERIFIED = "{source}: {n} credential(s) loaded unverified: {reason} (e.g. {row})"
ERR_TRUSTED_KEY = "[tables.evidence.trusted_keys] {method!r}: {detail}"


@dataclass(frozen=True)
class CredentialOptions:
    """How credentials map onto the contract (from ``[tables.evidence]``)."""

    identity: Mapping[str, Any] = field(default_factory=dict)
    credential_map: Mapping[str, str] = field(default_factory=dict)
    credential_levels: Mapping[str, int] = field(default_factory=dict)
    trusted_keys: Mapping[str, Any] = field(default_factory=dict)  # method id -> Ed25519PublicKey
    employee_ids: frozenset[str] = frozenset()
    competency_uris: Mapping[str, str] = field(default_factory=dict)  # CASE item URI -> competency_id
    rubric_levels: Mapping[str, int] = field(default_factory=dict)  # rubric level URI/identifier -> level


@dataclass(frozen=True)
class CredentialRead:
    """Raw evidence rows (text, with ``_row``), rows rejected before validation, and notes."""

    raw: pl.DataFrame
    rejects: pl.DataFrame
    notes: tuple[str, ...]
    files: tuple[Path, ...]


def trusted_keys(spec: Mapping[str, str], resolve: Callable[[str], Path] = Path) -> dict[str, Any]:
    """Parse ``[tables.evidence.trusted_keys]``: each value is key text or a file (found with ``resolve``)."""
    out = {}
    for method, text in spec.items():
        try:
            candidate = resolve(text) if len(text) < 300 and "\n" not in text else None
            if candidate is not None and candidate.is_file():
                text = candidate.read_text(encoding="utf-8")
            out[method] = load_public_key(text)
        except (ValueError, KeyError, OSError) as exc:
            raise SourceError(ERR_TRUSTED_KEY.format(method=method, detail=exc)) from exc
    return out


def credential_files(path: Path) -> list[Path]:
    """The credential files at ``path``: the file itself, or a folder's ``*.json``/``*.jsonld`` files."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in CREDENTIAL_SUFFIXES)
    if path.is_file():
        return [path]
    raise SourceError(ERR_NOT_FOUND.format(path=path))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _parse_datetime(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(t)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _identity_hash(identity_hash: str, salt: str, candidates: Iterable[str]) -> str | None:
    algo, _, digest = identity_hash.partition("$")
    if not digest or algo.lower() not in ("sha256", "md5"):
        return None
    for c in candidates:
        if hashlib.new(algo.lower(), (c + salt).encode()).hexdigest() == digest.lower():
            return c
    return None


def recipient(subject: Mapping[str, Any], options: CredentialOptions) -> str | None:
    """employee_id of a credentialSubject under the identity mapping (None when there is none).

    Example
    -------
    >>> salt = "s1"; h = "sha256$" + hashlib.sha256(b"ana@x.org" + salt.encode()).hexdigest()
    >>> subj = {"identifier": [{"identityType": "emailAddress", "hashed": True, "identityHash": h, "salt": salt}]}
    >>> recipient(subj, CredentialOptions(identity={"map": {"ana@x.org": "E1"}}))
    'E1'
    """
    mapping = dict(options.identity.get("map") or {})

    def mapped(value: str) -> str:
        return str(mapping.get(value, value))

    if isinstance(subject.get("id"), str) and subject["id"].strip():
        return mapped(subject["id"].strip())
    candidates = list(mapping) + sorted(options.employee_ids)
    for ident in _as_list(subject.get("identifier")):
        if not isinstance(ident, Mapping) or not isinstance(ident.get("identityHash"), str):
            continue
        value = ident["identityHash"].strip()
        if ident.get("hashed") in (True, "true"):
            found = _identity_hash(value, str(ident.get("salt") or ""), candidates)
            if found is not None:
                return mapped(found)
        elif value:
            return mapped(value)
    return None


def _competency(achievement: Mapping[str, Any], options: CredentialOptions) -> tuple[str | None, list[str]]:
    """(competency_id, the alignment and achievement references tried)."""
    refs: list[str] = []
    for al in _as_list(achievement.get("alignment")):
        if isinstance(al, Mapping):
            refs += [str(al[k]) for k in ("targetUrl", "targetCode") if al.get(k)]
    if achievement.get("id"):
        refs.append(str(achievement["id"]))
    for r in refs:
        if r in options.credential_map:
            return options.credential_map[r], refs
        if r in options.competency_uris:
            return options.competency_uris[r], refs
    alignments = [r for r in refs if r != achievement.get("id")]
    return (alignments[0] if alignments else None), refs


def _level(
    achievement: Mapping[str, Any],
    subject: Mapping[str, Any],
    refs: list[str],
    comp: str | None,
    options: CredentialOptions,
) -> int | None:
    for r in refs:
        if r in options.rubric_levels:
            return options.rubric_levels[r]
    for res in _as_list(subject.get("result")):
        if isinstance(res, Mapping) and str(res.get("achievedLevel")) in options.rubric_levels:
            return options.rubric_levels[str(res["achievedLevel"])]
    for ref in [*refs, comp]:
        if ref is not None and ref in options.credential_levels:
            return int(options.credential_levels[ref])
    default = options.credential_levels.get("default")
    return None if default is None else int(default)


def credential_row(
    vc: Any, label: str, options: CredentialOptions, *, as_of: dt.date, proof: ProofResult | None = None
) -> tuple[dict[str, str | None], str | None, str | None]:
    """(raw evidence row, reject reason or None, reason it is unverified or None) for one credential.

    ``proof`` is the outcome of an envelope's check (a VC-JWT); otherwise the embedded proof is checked.
    """
    row: dict[str, str | None] = dict.fromkeys(COLUMNS)
    row["evidence_type"] = "credential"
    if not isinstance(vc, Mapping):
        return row, REASON_NOT_OBJECT, None
    types = [str(t) for t in _as_list(vc.get("type"))]
    if not {"VerifiableCredential", "OpenBadgeCredential", "AchievementCredential"} & set(types):
        return row, REASON_NOT_CREDENTIAL.format(types=types), None
    row["evidence_id"] = str(vc.get("id") or label)
    issuer = vc.get("issuer")
    row["source"] = str(issuer.get("name") or issuer.get("id")) if isinstance(issuer, Mapping) else issuer
    subjects = [s for s in _as_list(vc.get("credentialSubject")) if isinstance(s, Mapping)]
    if not subjects:
        return row, REASON_NO_SUBJECT, None
    subject = subjects[0]
    row["employee_id"] = recipient(subject, options)
    if row["employee_id"] is None:
        return row, REASON_NO_RECIPIENT, None
    start_field = "validFrom" if "validFrom" in vc else "issuanceDate"
    if start_field not in vc:
        return row, REASON_NO_DATE, None
    start = _parse_datetime(vc[start_field])
    if start is None:
        return row, REASON_BAD_DATE.format(value=vc[start_field], field=start_field), None
    end_field = "validUntil" if "validUntil" in vc else "expirationDate"
    end = None
    if vc.get(end_field) is not None:
        end = _parse_datetime(vc[end_field])
        if end is None:
            return row, REASON_BAD_DATE.format(value=vc[end_field], field=end_field), None
    row["observed_on"] = start.date().isoformat()
    found = subject.get("achievement")
    achievement: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    comp, refs = _competency(achievement, options)
    row["competency_id"] = comp
    level = _level(achievement, subject, refs, comp, options)
    if level is None:
        return row, REASON_NO_LEVEL, None
    row["level"] = str(level)
    if proof is None:
        proof = verify_credential(vc, options.trusted_keys)
    if proof.status == "invalid":
        return row, proof.reason, None
    why = proof.reason if not proof.ok else None
    day_end = dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.UTC)
    day_start = dt.datetime.combine(as_of, dt.time.min, tzinfo=dt.UTC)
    if why is None and start > day_end:
        why = REASON_NOT_YET_VALID.format(date=start.date().isoformat())
    if why is None and end is not None and end < day_start:
        why = REASON_EXPIRED.format(date=end.date().isoformat())
    row["verified"] = "true" if why is None else "false"
    return row, None, why


def _credentials_in(path: Path, options: CredentialOptions) -> list[tuple[str, Any, ProofResult | None]]:
    """(label, credential, outcome of an envelope's proof or None) for each credential in one file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(ERR_UNREADABLE.format(file=path, kind="Open Badges JSON", detail=exc)) from exc
    stripped = text.strip()
    if stripped.startswith("ey") and stripped.count(".") == 2:
        try:
            vc, proof = verify_jwt(stripped, options.trusted_keys)
        except (ValueError, RecursionError) as exc:
            raise SourceError(ERR_UNREADABLE.format(file=path, kind="a VC-JWT", detail=exc)) from exc
        return [(path.name, vc, proof)]
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        detail = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise SourceError(ERR_UNREADABLE.format(file=path, kind="Open Badges JSON", detail=detail)) from exc
    except RecursionError as exc:  # arrays or objects nested thousands deep
        raise SourceError(ERR_RECURSION.format(file=path, detail="arrays or objects nested thousands deep")) from exc
    if isinstance(doc, Mapping) and "verifiableCredential" in doc:
        doc = _as_list(doc["verifiableCredential"])
    if isinstance(doc, list):
        return [(f"{path.name} credential {i}", vc, None) for i, vc in enumerate(doc, start=1)]
    return [(path.name, doc, None)]


def read_credentials(paths: Iterable[Path], options: CredentialOptions, *, as_of: dt.date) -> CredentialRead:
    """Read every credential under ``paths`` (files or folders) into raw evidence rows.

    A file that is not JSON at all is one ``SourceError``; a credential that
    cannot be used is a reject row with the reason (see the module docstring).
    """
    files: list[Path] = []
    for p in paths:
        files.extend(credential_files(p))
    rows: list[dict[str, str | None]] = []
    labels: list[str] = []
    bad: list[tuple[str, str]] = []
    unverified: dict[str, list[str]] = {}
    for f in files:
        for label, vc, envelope in _credentials_in(f, options):
            row, problem, why = credential_row(vc, label, options, as_of=as_of, proof=envelope)
            if problem is not None:
                bad.append((label, problem))
                continue
            rows.append(row)
            labels.append(label)
            if why is not None:
                unverified.setdefault(why, []).append(label)
    raw = (
        pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS})
        .with_columns(pl.Series(ROW, labels, dtype=pl.String))
        .select([ROW, *COLUMNS])
    )
    rejects = pl.DataFrame(bad, schema={ROW: pl.String, "reason": pl.String}, orient="row")
    source = ", ".join(f.name for f in files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    notes = tuple(
        NOTE_UNVERIFIED.format(source=source, n=len(rows_), reason=reason, row=rows_[0])
        for reason, rows_ in unverified.items()
    )
    return CredentialRead(raw, rejects, notes, tuple(files))


__all__ = [
    "CredentialOptions",
    "CredentialRead",
    "credential_files",
    "credential_row",
    "read_credentials",
    "recipient",
    "trusted_keys",
]
