"""Data Integrity proofs of Verifiable Credentials: Ed25519 ``eddsa-rdfc-2022``, fully offline.

The proof is checked as the W3C "Data Integrity EdDSA Cryptosuites v1.0" says:
the credential without its proof and the proof options (with the credential's
``@context``) are each canonicalised with RDFC-1.0 (URDNA2015, via pyld) and
hashed with SHA-256; the Ed25519 signature covers ``hash(proof options) ||
hash(credential)``. JSON-LD contexts come only from the copies shipped in
``data_sources/jsonld/`` (never the network). The public key comes from a
``did:key`` verification method (the key is in the identifier itself) or from
keys the operator trusts (``trusted_keys``); any other key (``did:web``, an
https URL) cannot be fetched offline and the outcome says so.

Example
-------
>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> key = Ed25519PrivateKey.generate()
>>> vc = {"@context": [VC_V2], "type": ["VerifiableCredential"], "issuer": "did:example:1",
...       "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:2"}}
>>> signed = sign_credential(vc, key, created="2026-01-02T00:00:00Z")
>>> verify_credential(signed).ok
True
>>> signed["issuer"] = "did:example:forged"
>>> verify_credential(signed).status
'invalid'
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

CONTEXT_DIR = Path(__file__).resolve().parent / "jsonld"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: Context URL -> file in ``data_sources/jsonld`` (see its README for provenance).
LOCAL_CONTEXTS: Mapping[str, str] = {
    VC_V2: "credentials_v2.jsonld",
    OB_V3_CONTEXT: "ob_context_3.0.3.json",
}
CRYPTOSUITE = "eddsa-rdfc-2022"
_ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

REASON_NO_PROOF = "no proof (the credential is not signed)"
REASON_PROOF_TYPE = (
    "proof type {type!r} / cryptosuite {suite!r} is not supported (only DataIntegrityProof eddsa-rdfc-2022)"
)
REASON_KEY_OFFLINE = "the issuer's key {method!r} cannot be fetched offline (only did:key or a configured trusted key)"
REASON_CONTEXT_OFFLINE = "JSON-LD context {url!r} is not available offline"
REASON_CANON = "the credential cannot be canonicalised: {detail}"
REASON_BAD_SIGNATURE = "proof does not verify: the signature does not match (credential altered or wrong key)"
REASON_BAD_PROOF_VALUE = "proof does not verify: proofValue is not a base58btc multibase Ed25519 signature"
REASON_PURPOSE = "proof purpose {purpose!r} is not assertionMethod"

Status = Literal["verified", "invalid", "unverifiable"]


class ContextUnavailable(Exception):
    """A JSON-LD context that is not among the local copies."""


@dataclass(frozen=True)
class ProofResult:
    """Outcome of checking a credential's proof.

    ``status`` is ``verified`` (the signature checks), ``invalid`` (it was
    checked and does not match: an altered credential) or ``unverifiable``
    (no proof, an unsupported suite, or a key or context not available offline).
    """

    status: Status
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "verified"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) text of ``data``.

    Example
    -------
    >>> b58encode(b"\\x00\\x01"), b58decode("12")
    ('12', b'\\x00\\x01')
    """
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    """Bytes of a base58 string; ``ValueError`` on a character outside the alphabet."""
    n = 0
    for ch in text:
        n = n * 58 + _B58.index(ch)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def did_key(public_key: Ed25519PublicKey) -> str:
    """The ``did:key`` identifier of an Ed25519 public key (``did:key:z6Mk...``)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + b58encode(_ED25519_PUB_PREFIX + raw)


def did_key_method(public_key: Ed25519PublicKey) -> str:
    """The verification method id of a did:key (``did:key:z6Mk...#z6Mk...``)."""
    did = did_key(public_key)
    return f"{did}#{did.removeprefix('did:key:')}"


def public_key_from_did_key(method: str) -> Ed25519PublicKey | None:
    """The Ed25519 key inside a ``did:key`` verification method, or None when it is not one."""
    if not method.startswith("did:key:z"):
        return None
    try:
        raw = b58decode(method.removeprefix("did:key:z").split("#")[0])
    except ValueError:
        return None
    if not raw.startswith(_ED25519_PUB_PREFIX) or len(raw) != 34:
        return None
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM, an OKP JWK (JSON text) or a did:key / multibase ``z6Mk...``."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    if text.startswith("{"):
        jwk = json.loads(text)
        return Ed25519PublicKey.from_public_bytes(_b64url(jwk["x"]))
    found = public_key_from_did_key(text if text.startswith("did:key:") else "did:key:" + text)
    if found is None:
        raise ValueError("not a PEM, JWK or did:key Ed25519 public key")
    return found


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or an OKP JWK with ``d`` (JSON text)."""
    text = text.strip()
    if text.startswith("{"):
        jwk = json.loads(text)
        return Ed25519PrivateKey.from_private_bytes(_b64url(jwk["d"]))
    key = serialization.load_pem_private_key(text.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def _b64url(s: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader that serves only the local context copies (no network)."""
    name = LOCAL_CONTEXTS.get(url)
    if name is None:
        raise ContextUnavailable(url)
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(_context_text(name))}


@lru_cache(maxsize=len(LOCAL_CONTEXTS))
def _context_text(name: str) -> str:
    return (CONTEXT_DIR / name).read_text(encoding="utf-8")


class _Processor(jsonld.JsonLdProcessor):
    """A pyld processor whose type-scoped contexts may redefine protected terms.

    The Open Badges 3.0 context redefines the protected term ``image`` inside the
    type-scoped contexts of ``Profile`` and ``AchievementSubject``; pyld, following
    the JSON-LD 1.1 algorithm to the letter, refuses that, so no credential with a
    typed issuer ``Profile`` could be canonicalised. This processor lets a
    type-scoped context (the only kind processed with ``propagate=False``)
    override protected terms, as the OB 3.0 context needs.
    """

    def _process_context(self, active_ctx, local_ctx, options, override_protected=False, propagate=True, **kw):
        return super()._process_context(
            active_ctx, local_ctx, options, override_protected or not propagate, propagate, **kw
        )


def canonicalize(doc: Mapping[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, offline."""
    return _Processor().normalize(
        dict(doc), {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader}
    )


def hash_data(proof_nquads: str, document_nquads: str) -> bytes:
    """What Ed25519 signs: SHA-256 of the canonical proof options, then of the canonical document."""
    return hashlib.sha256(proof_nquads.encode()).digest() + hashlib.sha256(document_nquads.encode()).digest()


def _hash_data(unsecured: Mapping[str, Any], proof_options: Mapping[str, Any]) -> bytes:
    config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    config["@context"] = unsecured["@context"]
    return hash_data(canonicalize(config), canonicalize(unsecured))


def sign_credential(
    credential: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    created: str,
    verification_method: str | None = None,
) -> dict[str, Any]:
    """A copy of ``credential`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    ``verification_method`` defaults to the key's did:key method, so anyone can
    check the signature offline.
    """
    unsecured = {k: copy.deepcopy(v) for k, v in credential.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method or did_key_method(private_key.public_key()),
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(_hash_data(unsecured, options))
    return {**unsecured, "proof": {**options, "proofValue": "z" + b58encode(signature)}}


def verify_credential(
    credential: Mapping[str, Any], trusted_keys: Mapping[str, Ed25519PublicKey] | None = None
) -> ProofResult:
    """Check the credential's embedded proof; never raises for a bad credential.

    Parameters
    ----------
    credential : mapping
        The credential as parsed JSON.
    trusted_keys : mapping of verification method id to public key, optional
        Keys the operator configured (e.g. for a ``did:web`` issuer); a did:key
        method needs none.
    """
    proof = credential.get("proof")
    if isinstance(proof, list):
        proof = proof[0] if len(proof) == 1 else next((p for p in proof if isinstance(p, Mapping)), None)
    if not isinstance(proof, Mapping):
        return ProofResult("unverifiable", REASON_NO_PROOF)
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofResult(
            "unverifiable", REASON_PROOF_TYPE.format(type=proof.get("type"), suite=proof.get("cryptosuite"))
        )
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofResult("invalid", REASON_PURPOSE.format(purpose=proof.get("proofPurpose")))
    method = str(proof.get("verificationMethod") or "")
    key = (trusted_keys or {}).get(method) or public_key_from_did_key(method)
    if key is None:
        return ProofResult("unverifiable", REASON_KEY_OFFLINE.format(method=method))
    value = str(proof.get("proofValue") or "")
    try:
        if not value.startswith("z"):
            raise ValueError(value[:1])
        signature = b58decode(value[1:])
    except ValueError:
        return ProofResult("invalid", REASON_BAD_PROOF_VALUE)
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    try:
        data = _hash_data(unsecured, proof)
    except Exception as exc:  # pyld wraps loader errors in JsonLdError chains
        missing = _missing_context(exc)
        if missing is not None:
            return ProofResult("unverifiable", REASON_CONTEXT_OFFLINE.format(url=missing))
        return ProofResult("unverifiable", REASON_CANON.format(detail=str(exc).splitlines()[0][:200]))
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return ProofResult("invalid", REASON_BAD_SIGNATURE)
    return ProofResult("verified")


REASON_JWT_ALG = "VC-JWT algorithm {alg!r} is not supported (only EdDSA / Ed25519)"
REASON_JWT_BAD = "VC-JWT signature does not verify (credential altered or wrong key)"
REASON_JWT_FORM = "not a compact JWS (header.payload.signature)"


def _b64url_json(part: str) -> Any:
    return json.loads(_b64url(part))


def _b64url_text(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(credential: Mapping[str, Any], private_key: Ed25519PrivateKey, *, kid: str | None = None) -> str:
    """A VC-JWT (VC 1.1 ``vc`` claim, JWS EdDSA) of ``credential``, keyed by its did:key unless ``kid`` is given."""
    kid = kid or did_key_method(private_key.public_key())
    header = {"alg": "EdDSA", "typ": "JWT", "kid": kid}
    payload: dict[str, Any] = {"vc": dict(credential), "iss": kid.split("#")[0]}
    if credential.get("id"):
        payload["jti"] = credential["id"]
    signing_input = f"{_b64url_text(json.dumps(header).encode())}.{_b64url_text(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64url_text(private_key.sign(signing_input.encode()))}"


def verify_jwt(
    token: str, trusted_keys: Mapping[str, Ed25519PublicKey] | None = None
) -> tuple[dict[str, Any], ProofResult]:
    """The credential inside a VC-JWT and whether its EdDSA signature checks.

    The VC 1.1 ``vc`` claim is read (``nbf``/``exp``/``jti``/``sub``/``iss`` fill
    ``issuanceDate``/``expirationDate``/``id``/``credentialSubject.id``/``issuer``
    when the credential lacks them); a payload without ``vc`` is taken as the
    credential itself (VC 2.0 JOSE). ``ValueError`` when it is not a compact JWS.
    """
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError(REASON_JWT_FORM)
    try:
        header, payload = _b64url_json(parts[0]), _b64url_json(parts[1])
        signature = _b64url(parts[2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{REASON_JWT_FORM}: {exc}") from exc
    if not isinstance(payload, Mapping) or not isinstance(header, Mapping):
        raise ValueError(REASON_JWT_FORM)
    vc = dict(payload["vc"]) if isinstance(payload.get("vc"), Mapping) else dict(payload)
    if isinstance(payload.get("vc"), Mapping):
        for claim, field_name in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
            if isinstance(payload.get(claim), int | float) and field_name not in vc:
                vc[field_name] = _dt.datetime.fromtimestamp(payload[claim], _dt.UTC).isoformat().replace("+00:00", "Z")
        if payload.get("jti") and "id" not in vc:
            vc["id"] = payload["jti"]
        if payload.get("iss") and "issuer" not in vc:
            vc["issuer"] = payload["iss"]
        subject = vc.get("credentialSubject")
        if payload.get("sub") and isinstance(subject, Mapping) and "id" not in subject:
            vc["credentialSubject"] = {**subject, "id": payload["sub"]}
    if header.get("alg") != "EdDSA":
        return vc, ProofResult("unverifiable", REASON_JWT_ALG.format(alg=header.get("alg")))
    kid = str(header.get("kid") or payload.get("iss") or "")
    key = (trusted_keys or {}).get(kid) or public_key_from_did_key(kid)
    if key is None:
        return vc, ProofResult("unverifiable", REASON_KEY_OFFLINE.format(method=kid))
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode())
    except InvalidSignature:
        return vc, ProofResult("invalid", REASON_JWT_BAD)
    return vc, ProofResult("verified")


def _missing_context(exc: BaseException) -> str | None:
    """The context URL a pyld error chain failed on, when the cause is a missing local copy."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ContextUnavailable):
            return str(e.args[0])
        for attr in ("cause", "__cause__", "__context__"):
            nxt = getattr(e, attr, None)
            if isinstance(nxt, BaseException):
                stack.append(nxt)
        details = getattr(e, "details", None)
        if isinstance(details, Mapping):
            url = details.get("url")
            if isinstance(details.get("cause"), BaseException):
                stack.append(details["cause"])
            if url and url not in LOCAL_CONTEXTS:
                return str(url)
    return None


__all__ = [
    "CRYPTOSUITE",
    "LOCAL_CONTEXTS",
    "OB_V3_CONTEXT",
    "VC_V2",
    "ProofResult",
    "canonicalize",
    "did_key",
    "did_key_method",
    "document_loader",
    "hash_data",
    "load_private_key",
    "load_public_key",
    "public_key_from_did_key",
    "sign_credential",
    "sign_jwt",
    "verify_credential",
    "verify_jwt",
]
