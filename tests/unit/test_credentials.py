"""Open Badges 3.0 credentials in (evidence of type credential) and CASE frameworks (competencies)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from data_sources.case import framework_text, framework_tree, parse_case, read_case
from data_sources.config import SourceConfig
from data_sources.errors import SourceError
from data_sources.loader import load_source
from data_sources.proof import OB_V3_CONTEXT, VC_V2, did_key_method, sign_credential, verify_credential

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "tiny"
ROOT = Path(__file__).resolve().parents[2]
REAL = next(
    (p / "shared" / "realdata" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "realdata").is_dir()),
    ROOT.parent / "shared" / "realdata",
)
OB_REAL = REAL / "open_badges"
CASE_REAL = REAL / "case"
AS_OF = dt.date(2026, 9, 30)
U = "https://case.example/items/"


def case_package(*, cycle: bool = False) -> dict:
    """A tiny CFPackage whose items carry the tiny fixture's competency ids, with a rubric on SQL."""

    def item(code, statement):
        return {"identifier": code.lower(), "uri": U + code, "humanCodingScheme": code, "fullStatement": statement}

    def child(a, b):
        return {
            "associationType": "isChildOf",
            "originNodeURI": {"identifier": a},
            "destinationNodeURI": {"identifier": b},
        }

    assocs = [child("data", "doc"), child("sql", "data"), child("fc", "data"), child("sm", "doc")]
    assocs.append(
        {
            "associationType": "exactMatchOf",
            "originNodeURI": {"identifier": "sql"},
            "destinationNodeURI": {"uri": "https://elsewhere.example/std/9", "title": "Elsewhere"},
        }
    )
    if cycle:
        assocs = [child("data", "sql"), child("sql", "fc"), child("fc", "data"), child("sm", "doc")]
    levels = [
        {"identifier": f"sql-l{i}", "uri": f"{U}rubric/sql-l{i}", "quality": q, "score": s}
        for i, (q, s) in enumerate([("novice", 0), ("competent", 2), ("proficient", 4), ("expert", 8)], start=1)
    ]
    return {
        "CFDocument": {"identifier": "doc", "uri": U + "doc", "title": "Tiny framework"},
        "CFItems": [
            item("DATA", "Working with data"),
            item("SQL", "Query relational data with SQL"),
            item("FC", "Forecast demand"),
            item("SM", "Manage stakeholders"),
        ],
        "CFAssociations": assocs,
        "CFRubrics": [
            {
                "identifier": "r1",
                "CFRubricCriteria": [
                    {"identifier": "c1", "CFItemURI": {"identifier": "sql"}, "CFRubricCriterionLevels": levels}
                ],
            }
        ],
    }


def credential(subject_id: str = "did:example:e2", *, aligned: str = U + "SQL", **extra) -> dict:
    vc = {
        "@context": [VC_V2, OB_V3_CONTEXT],
        "id": "urn:uuid:cred-1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"], "name": "Acme Academy"},
        "validFrom": "2026-03-01T00:00:00Z",
        "name": "SQL badge",
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/sql",
                "type": ["Achievement"],
                "name": "SQL",
                "description": "Writes SQL.",
                "criteria": {"narrative": "Passed the SQL assessment."},
                "alignment": [
                    {"type": ["Alignment"], "targetName": "SQL", "targetUrl": aligned, "targetType": "CFItem"}
                ],
            },
        },
    }
    vc.update(extra)
    return vc


def source(tmp_path: Path, credentials: dict[str, object], toml_extra: str = "") -> SourceConfig:
    folder = tmp_path / "src"
    shutil.copytree(TINY, folder)
    (folder / "competencies.csv").unlink()
    (folder / "framework.json").write_text(json.dumps(case_package()))
    badges = folder / "badges"
    badges.mkdir()
    for name, doc in credentials.items():
        (badges / name).write_text(doc if isinstance(doc, str) else json.dumps(doc))
    cfg = tmp_path / "source.toml"
    cfg.write_text(
        f"""
[source]
path = "src"
as_of = "{AS_OF}"
[tables.competencies]
case = "framework.json"
[tables.evidence]
file = "evidence.csv"
credentials = "badges"
[tables.evidence.identity.map]
"did:example:e2" = "E2"
"did:example:e3" = "E3"
"carol@example.org" = "E3"
[tables.evidence.credential_levels]
default = 2
{toml_extra}
"""
    )
    return SourceConfig.from_toml(cfg)


# --- CASE frameworks -------------------------------------------------------------------------


def test_case_package_gives_competencies_hierarchy_references_and_rubric_levels():
    fw = parse_case(case_package(), "framework.json")
    assert fw.competencies.select("competency_id", "category", "parent_id", "uri").rows() == [
        ("DATA", "Working with data", None, U + "DATA"),
        ("SQL", "Working with data", "DATA", U + "SQL"),
        ("FC", "Working with data", "DATA", U + "FC"),
        ("SM", "Manage stakeholders", None, U + "SM"),
    ]
    assert fw.references.rows() == [("SQL", "exactMatchOf", "https://elsewhere.example/std/9", "Elsewhere")]
    # scores 0, 2, 4, 8 rescaled linearly from 0..8 onto 1..5: 1, 2, 3, 5
    assert dict(zip(fw.rubric_levels["level_ref"], fw.rubric_levels["level"])) == {
        **{f"sql-l{i}": v for i, v in zip(range(1, 5), (1, 2, 3, 5))},
        **{f"{U}rubric/sql-l{i}": v for i, v in zip(range(1, 5), (1, 2, 3, 5))},
    }
    assert any("novice=1, competent=2, proficient=3, expert=5" in n for n in fw.notes)
    assert framework_text(fw.competencies) == (
        "DATA  Working with data\n  SQL  Working with data\n  FC  Working with data\nSM  Manage stakeholders"
    ).replace("  SQL  Working with data", "  SQL  Query relational data with SQL").replace(
        "  FC  Working with data", "  FC  Forecast demand"
    )


def test_case_isChildOf_cycle_is_one_clear_whole_file_error():
    with pytest.raises(SourceError, match=r"framework.json: the isChildOf associations form a cycle: .*→"):
        parse_case(case_package(cycle=True), "framework.json")


def test_case_file_that_is_not_a_package_is_one_clear_error(tmp_path):
    bad = tmp_path / "f.json"
    bad.write_text('{"CFDocument": {}}')
    with pytest.raises(SourceError, match=r"f\.json: not a CASE CFPackage: expected an object with a CFItems list"):
        read_case(bad)
    bad.write_text("{not json")
    with pytest.raises(SourceError, match=r"f\.json: cannot be read as CASE JSON: line 1, column 2"):
        read_case(bad)


@pytest.mark.skipif(not CASE_REAL.is_dir(), reason="../shared/realdata is absent")
def test_real_case_packages_import_with_their_hierarchy():
    act = read_case(CASE_REAL / "opensalt_act_holistic_math_ordering.json")
    tree = framework_tree(act.competencies)
    assert act.competencies.height == 28 and act.references.height == 0
    assert tree.filter(tree["depth"] == 0)["competency_id"].to_list() == ["H.A.MATH.GM"]  # one child of the document
    assert tree["depth"].max() == 4  # five levels deep
    assert act.competencies["parent_id"].null_count() == 1
    assert "two?- and three-dimensional" in act.competencies["statement"][0]  # kept as found
    ccss = read_case(CASE_REAL / "opensalt_what_standards_could_be.json")
    assert ccss.competencies.height == 16
    assert ccss.references.height == 21  # 16 exactMatchOf, 2 exemplar, 2 isRelatedTo, 1 precedes leave the package
    assert sorted(ccss.references["association_type"].value_counts().rows()) == [
        ("exactMatchOf", 16),
        ("exemplar", 2),
        ("isRelatedTo", 2),
        ("precedes", 1),
    ]


@pytest.mark.skipif(not CASE_REAL.is_dir(), reason="../shared/realdata is absent")
def test_real_case_package_loads_as_the_competencies_table(tmp_path):
    folder = tmp_path / "src"
    shutil.copytree(TINY, folder)
    (folder / "competencies.csv").unlink()
    shutil.copy(CASE_REAL / "opensalt_act_holistic_math_ordering.json", tmp_path / "act.json")
    (folder / "role_requirements.csv").write_text("role_id,competency_id,required_level\nAN1,H.A.MATH.GM,2\n")
    (folder / "evidence.csv").unlink()
    (tmp_path / "s.toml").write_text(
        f'[source]\npath = "src"\nas_of = "{AS_OF}"\n[tables.competencies]\ncase = "act.json"\n'
    )
    bundle = load_source(tmp_path / "s.toml")
    comp = bundle.tables["competencies"]
    assert comp.height == 28 and comp["parent_id"].null_count() == 1
    assert all(t.reconciles for t in bundle.report.tables)


# --- proofs ---------------------------------------------------------------------------------


def test_signed_credential_verifies_and_any_change_breaks_it():
    key = Ed25519PrivateKey.generate()
    signed = sign_credential(credential(), key, created="2026-03-01T00:00:00Z")
    assert signed["proof"]["verificationMethod"] == did_key_method(key.public_key())
    assert verify_credential(signed).ok
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "SQL (expert)"
    assert verify_credential(tampered).status == "invalid"
    other = sign_credential(credential(), Ed25519PrivateKey.generate(), created="2026-03-01T00:00:00Z")
    wrong_key = {**signed, "proof": {**signed["proof"], "proofValue": other["proof"]["proofValue"]}}
    assert verify_credential(wrong_key).status == "invalid"


def test_proofs_that_cannot_be_checked_offline_say_why():
    assert verify_credential(credential()).reason == "no proof (the credential is not signed)"
    key = Ed25519PrivateKey.generate()
    web = sign_credential(credential(), key, created="2026-03-01T00:00:00Z", verification_method="did:web:x#k")
    assert verify_credential(web).status == "unverifiable"
    assert "did:web:x#k" in verify_credential(web).reason and "offline" in verify_credential(web).reason
    assert verify_credential(web, {"did:web:x#k": key.public_key()}).ok  # an operator-trusted key
    v11 = {**credential(), "@context": ["https://www.w3.org/2018/credentials/v1"]}
    v11 = {**v11, "proof": sign_credential(credential(), key, created="2026-03-01T00:00:00Z")["proof"]}
    res = verify_credential(v11)
    assert res.status == "unverifiable" and "https://www.w3.org/2018/credentials/v1" in res.reason


# --- credentials through the loader ---------------------------------------------------------


def test_credentials_load_beside_tabular_evidence_verified_only_when_the_proof_checks(tmp_path):
    key = Ed25519PrivateKey.generate()
    signed = sign_credential(credential(), key, created="2026-03-01T00:00:00Z")
    unsigned = credential("did:example:e3", id="urn:uuid:cred-2")
    expired = sign_credential(
        credential(id="urn:uuid:cred-3", validUntil="2026-06-30T00:00:00Z"), key, created="2026-03-01T00:00:00Z"
    )
    cfg = source(tmp_path, {"a.json": signed, "b.json": [unsigned, expired]})
    bundle = load_source(cfg)
    ev = bundle.tables["evidence"].filter(evidence_type="credential", source="Acme Academy").sort("evidence_id")
    assert ev.select("evidence_id", "employee_id", "competency_id", "level", "observed_on", "verified").rows() == [
        ("urn:uuid:cred-1", "E2", "SQL", 2, dt.date(2026, 3, 1), True),
        ("urn:uuid:cred-2", "E3", "SQL", 2, dt.date(2026, 3, 1), False),
        ("urn:uuid:cred-3", "E2", "SQL", 2, dt.date(2026, 3, 1), False),
    ]
    rep = next(t for t in bundle.report.tables if t.table == "evidence")
    assert (rep.read, rep.accepted, rep.rejected) == (5 + 3, 8, 0) and rep.source == "evidence.csv + badges"
    assert any(
        "1 credential(s) loaded unverified: no proof" in n and "b.json credential 1" in n for n in bundle.report.notes
    )
    assert any("loaded unverified: expired on 2026-06-30" in n for n in bundle.report.notes)


def test_rubric_level_alignment_sets_the_level(tmp_path):
    vc = credential()
    vc["credentialSubject"]["achievement"]["alignment"].append(
        {"type": ["Alignment"], "targetUrl": f"{U}rubric/sql-l3", "targetType": "CFRubricCriterionLevel"}
    )
    bundle = load_source(source(tmp_path, {"a.json": vc}))
    ev = bundle.tables["evidence"].filter(evidence_id="urn:uuid:cred-1")
    assert ev.select("competency_id", "level").row(0) == ("SQL", 3)  # "proficient" declared as 3


def test_hashed_identifier_recipient(tmp_path):
    vc = credential()
    salt = "pepper"
    digest = hashlib.sha256(("carol@example.org" + salt).encode()).hexdigest()
    vc["credentialSubject"].pop("id")
    vc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": f"sha256${digest}",
            "salt": salt,
        }
    ]
    bundle = load_source(source(tmp_path, {"a.json": vc}))
    assert bundle.tables["evidence"].filter(evidence_id="urn:uuid:cred-1")["employee_id"].to_list() == ["E3"]


def test_bad_credentials_are_rejects_with_reasons_never_a_crash(tmp_path):
    key = Ed25519PrivateKey.generate()
    no_recipient = credential(id="urn:x:no-recipient")
    no_recipient["credentialSubject"].pop("id")
    unknown = credential(id="urn:x:unknown", aligned="https://nowhere.example/skill")
    bad_date = credential(id="urn:x:bad-date", validFrom="31/02/2026")
    tampered = sign_credential(credential(id="urn:x:tampered"), key, created="2026-03-01T00:00:00Z")
    tampered["name"] = "Forged badge"
    not_vc = {"hello": "world"}
    cfg = source(tmp_path, {"bad.json": [no_recipient, unknown, bad_date, tampered, not_vc, "text"]})
    bundle = load_source(cfg)
    rep = next(t for t in bundle.report.tables if t.table == "evidence")
    assert (rep.read, rep.accepted, rep.rejected) == (5 + 6, 5, 6) and rep.reconciles
    reasons = dict(bundle.report.rejects.filter(table="evidence").select("row", "reason").rows())
    assert reasons == {
        "bad.json credential 1": "credential has no recognisable recipient (no credentialSubject.id and no usable identifier)",
        "bad.json credential 2": "unknown competency id: 'https://nowhere.example/skill' is not in competencies",
        "bad.json credential 3": "malformed date '31/02/2026' in validFrom (expected an ISO 8601 date-time)",
        "bad.json credential 4": "proof does not verify: the signature does not match (credential altered or wrong key)",
        "bad.json credential 5": "not an Open Badges credential: type [] has no VerifiableCredential/OpenBadgeCredential",
        "bad.json credential 6": "not a credential: expected a JSON object",
    }


def test_a_credentials_file_that_is_not_json_is_one_clear_error(tmp_path):
    cfg = source(tmp_path, {"broken.json": "{oops"})
    with pytest.raises(SourceError, match=r"broken.json: cannot be read as Open Badges JSON: line 1, column 2"):
        load_source(cfg)


def test_folder_detection_and_nothing_silently_ignored(tmp_path):
    folder = tmp_path / "src"
    shutil.copytree(TINY, folder)
    (folder / "evidence.csv").unlink()
    (folder / "evidence.json").write_text(json.dumps([credential("E2", aligned="SQL")]))
    (folder / "notes.txt").write_text("hello")
    (folder / "extra").mkdir()
    bundle = load_source(SourceConfig(path=folder, as_of=AS_OF, origin=str(folder)))
    rep = next(t for t in bundle.report.tables if t.table == "evidence")
    assert (rep.source, rep.read, rep.accepted, rep.rejected) == ("evidence.json", 1, 0, 1)
    # with no configuration there is no level to give a credential: a reject that says how to declare one
    assert bundle.report.rejects.filter(table="evidence")["reason"].to_list() == [
        "no level for this credential: align it to a CASE rubric level or configure "
        "[tables.evidence.credential_levels] (e.g. default = 3)"
    ]
    assert any(n.endswith("not read (not a file of any table): extra/, notes.txt") for n in bundle.report.notes)


@pytest.mark.skipif(not OB_REAL.is_dir(), reason="../shared/realdata is absent")
def test_the_two_real_ob3_examples_import_unverified_with_the_reason(tmp_path):
    toml = """
[tables.evidence.credential_map]
"https://example.com/achievements/21st-century-skills/teamwork" = "SM"
"https://robotics-competencies.example.com/competencies/robot-programming" = "SQL"
[tables.evidence.identity.map]
"did:example:ebfeb1f712ebc6f1c276e12ec21" = "E4"
"""
    cfg = source(tmp_path, {}, "")
    (tmp_path / "src" / "badges").rmdir()
    shutil.copytree(OB_REAL, tmp_path / "src" / "badges")
    text = (tmp_path / "source.toml").read_text().replace('[tables.evidence.identity.map]\n"did:example:e2" = "E2"', "")
    text = text.replace('"did:example:e3" = "E3"\n"carol@example.org" = "E3"\n', "")
    (tmp_path / "source.toml").write_text(text + toml)
    bundle = load_source(tmp_path / "source.toml")
    ev = bundle.tables["evidence"].filter(employee_id="E4", evidence_type="credential").sort("evidence_id")
    assert ev.select("evidence_id", "competency_id", "observed_on", "verified", "source").rows() == [
        ("http://1edtech.edu/credentials/3732", "SQL", dt.date(2022, 7, 1), False, "1EdTech University"),
        ("http://example.com/credentials/3527", "SM", dt.date(2010, 1, 1), False, "Example Corp"),
    ]
    assert any(
        "2 credential(s) loaded unverified: no proof (the credential is not signed)" in n for n in bundle.report.notes
    )
    del cfg


# --- export ---------------------------------------------------------------------------------


def _proficiency():
    import polars as pl

    return pl.DataFrame(
        {
            "employee_id": ["E2", "E2", "E3"],
            "competency_id": ["SQL", "SM", "SQL"],
            "level": [3, 0, 2],
            "evidence_weight": [2.0, 0.2, 1.0],
            "n_evidence": [2, 1, 1],
            "last_observed_on": [dt.date(2026, 6, 1), dt.date(2026, 5, 1), dt.date(2026, 1, 10)],
        }
    )


def test_export_unsigned_validates_against_the_schema_and_skips_level_zero():
    from data_sources.ob3_export import Issuer, export_credentials, validate_credential

    comp = parse_case(case_package(), "framework.json").competencies
    creds = export_credentials(_proficiency(), comp, "E2", issuer=Issuer("https://hr.example", "Acme HR"))
    assert len(creds) == 1  # SM is at level 0: nothing demonstrated, nothing exported
    vc = creds[0]
    assert validate_credential(vc) == [] and "proof" not in vc
    ach = vc["credentialSubject"]["achievement"]
    assert (ach["id"], ach["name"], ach["description"]) == (
        U + "SQL",
        "Query relational data with SQL – level 3 (Adapt)",
        "Query relational data with SQL",
    )
    assert vc["validFrom"] == "2026-06-01T00:00:00Z"
    broken = copy.deepcopy(vc)
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["validFrom"] = "yesterday"
    problems = validate_credential(broken)
    assert problems[0] == "credentialSubject/achievement: 'criteria' is a required property"
    assert problems[1].startswith("validFrom: 'yesterday' does not match") and len(problems) == 2


def test_export_signed_with_a_configured_key_verifies_and_reimports_as_verified(tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization

    from data_sources.ob3_export import Issuer, export_credentials, signing_key_from_env

    key = Ed25519PrivateKey.generate()
    pem = tmp_path / "issuer.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    monkeypatch.setenv("TR_OB3_SIGNING_KEY", str(pem))
    comp = parse_case(case_package(), "framework.json").competencies
    [vc] = export_credentials(
        _proficiency(),
        comp,
        "E3",
        issuer=Issuer("https://hr.example", "Acme HR"),
        subject_id="did:example:e3",
        signing_key=signing_key_from_env(),
    )
    assert verify_credential(vc).ok and vc["issuer"]["id"].startswith("did:key:z6Mk")
    bundle = load_source(source(tmp_path, {"mine.json": vc}))
    row = bundle.tables["evidence"].filter(source="Acme HR")
    assert row.select("employee_id", "competency_id", "verified").rows() == [("E3", "SQL", True)]


@pytest.mark.skipif(not OB_REAL.is_dir(), reason="../shared/realdata is absent")
def test_real_vc2_example_validates_against_the_shipped_schema():
    from data_sources.ob3_export import validate_credential

    basic = json.loads((OB_REAL / "ob3_basicOpenBadgeCredential.json").read_text())
    assert validate_credential(basic) == []
    v11 = json.loads((OB_REAL / "ob3_skillAssertionCase.json").read_text())
    assert "(root): 'validFrom' is a required property" in validate_credential(v11)  # VC 1.1 form: issuanceDate


# The Open Badges 3.0 implementation guide's Linked Data Proof test vector (1EdTech/openbadges-specification,
# ob_v3p0/impl/linked-data-proof-ob.md): key, canonical document, hashes, signature and proofValue.
VECTOR_PUBLIC_KEY = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
VECTOR_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VECTOR_PROOF_HASH = "3cf3c265b6c8ebb29b4d5ea310b87d2f31c79b633eff8af561d2e8c97a85c8cb"
VECTOR_DOCUMENT_HASH = "d994aebd5e53f4af4495dbe9e1155410bae683811107c26acf83671075c163b3"
VECTOR_PROOF_VALUE = "zUSD5bjo6mYV1n9i9E6ZwUiHuj4JyZDjCDfDqoJcPi9XJrc9LYstik9mdBvutdwBdquWXjWrwJDVGJrAarvRs8uD"
_OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
_XS = "^^<https://www.w3.org/2001/XMLSchema#string>"
_CRED = "<http://example.com/credentials/3527>"
_ACH = "<https://example.com/achievements/21st-century-skills/teamwork>"
_ISS = "<https://example.edu/issuers/565049>"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
VECTOR_DOCUMENT_NQUADS = "".join(
    line + " .\n"
    for line in (
        f"<did:example:ebfeb1f712ebc6f1c276e12ec21> {_TYPE} <{_OB}AchievementSubject>",
        f"<did:example:ebfeb1f712ebc6f1c276e12ec21> <{_OB}Achievement> {_ACH}",
        f"{_CRED} {_TYPE} <{_OB}OpenBadgeCredential>",
        f"{_CRED} {_TYPE} <https://www.w3.org/2018/credentials#VerifiableCredential>",
        f'{_CRED} <https://schema.org/name> "Teamwork Badge"{_XS}',
        f"{_CRED} <https://www.w3.org/2018/credentials#credentialSubject> <did:example:ebfeb1f712ebc6f1c276e12ec21>",
        f'{_CRED} <https://www.w3.org/2018/credentials#issuanceDate> "2010-01-01T00:00:00Z"'
        "^^<http://www.w3.org/2001/XMLSchema#dateTime>",
        f"{_CRED} <https://www.w3.org/2018/credentials#issuer> {_ISS}",
        f"{_ACH} {_TYPE} <{_OB}Achievement>",
        f"{_ACH} <{_OB}Criteria> _:c14n0",
        f'{_ACH} <https://schema.org/description> "This badge recognizes the development of the capacity to '
        f'collaborate within a group environment."{_XS}',
        f'{_ACH} <https://schema.org/name> "Teamwork"{_XS}',
        f"{_ISS} {_TYPE} <{_OB}Profile>",
        f'{_ISS} <https://schema.org/name> "Example Corp"{_XS}',
        f'{_ISS} <https://schema.org/url> "https://www.imsglobal.org"^^<https://www.w3.org/2001/XMLSchema#anyURI>',
        f'_:c14n0 <{_OB}narrative> "Team members are nominated for this badge by their peers and recognized upon '
        f'review by Example Corp management."{_XS}',
    )
)


def test_official_ob3_proof_test_vector_checks_with_our_canonicalisation_hashing_and_keys():
    from cryptography.hazmat.primitives import serialization

    from data_sources.proof import b58decode, canonicalize, hash_data, public_key_from_did_key

    options = {
        "@context": [VC_V2],  # the VC 2.0 context defines DataIntegrityProof's terms as data-integrity/v1 does
        "type": "DataIntegrityProof",
        "created": "2010-01-01T19:23:24Z",
        "verificationMethod": f"https://example.edu/issuers/565049#{VECTOR_MULTIKEY}",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    proof_nquads = canonicalize(options)
    assert hashlib.sha256(proof_nquads.encode()).hexdigest() == VECTOR_PROOF_HASH
    assert hashlib.sha256(VECTOR_DOCUMENT_NQUADS.encode()).hexdigest() == VECTOR_DOCUMENT_HASH
    data = hash_data(proof_nquads, VECTOR_DOCUMENT_NQUADS)
    assert data.hex() == VECTOR_PROOF_HASH + VECTOR_DOCUMENT_HASH  # proof options first, then the document
    key = public_key_from_did_key(f"did:key:{VECTOR_MULTIKEY}")
    assert key is not None
    assert key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex() == VECTOR_PUBLIC_KEY
    key.verify(b58decode(VECTOR_PROOF_VALUE[1:]), data)  # raises InvalidSignature if anything differs


def test_vc_jwt_credentials_verify_by_their_eddsa_signature(tmp_path):
    from data_sources.proof import sign_jwt

    key = Ed25519PrivateKey.generate()
    vc11 = {k: v for k, v in credential(id="urn:uuid:jwt-1").items() if k != "validFrom"}
    vc11["issuanceDate"] = "2026-04-01T00:00:00Z"
    good = sign_jwt(vc11, key)
    header, _payload, signature = good.split(".")
    forged_payload = sign_jwt({**vc11, "id": "urn:uuid:jwt-2"}, key).split(".")[1]  # another payload, old signature
    cfg = source(
        tmp_path,
        {
            "good.jwt": good,
            "forged.jwt": f"{header}.{forged_payload}.{signature}",
            "es256.jwt": _es256_header(sign_jwt({**vc11, "id": "urn:uuid:jwt-3"}, key)),
        },
    )
    bundle = load_source(cfg)
    ev = bundle.tables["evidence"].filter(evidence_type="credential", source="Acme Academy").sort("evidence_id")
    assert ev.select("evidence_id", "observed_on", "verified").rows() == [
        ("urn:uuid:jwt-1", dt.date(2026, 4, 1), True),
        ("urn:uuid:jwt-3", dt.date(2026, 4, 1), False),
    ]
    reasons = dict(bundle.report.rejects.filter(table="evidence").select("row", "reason").rows())
    assert reasons == {"forged.jwt": "VC-JWT signature does not verify (credential altered or wrong key)"}
    assert any(
        "es256.jwt" in n and "VC-JWT algorithm 'ES256' is not supported (only EdDSA / Ed25519)" in n
        for n in bundle.report.notes
    )
    rep = next(t for t in bundle.report.tables if t.table == "evidence")
    assert rep.reconciles and rep.read == 5 + 3


def _es256_header(token: str) -> str:
    """The payload under an ES256 header: not checkable here, so it loads unverified."""
    import base64

    header = base64.urlsafe_b64encode(b'{"alg":"ES256","kid":"did:web:x#k"}').rstrip(b"=").decode()
    return ".".join([header, *token.split(".")[1:]])


def test_person_credentials_from_a_bundle_match_the_proficiency_levels():
    import dataclasses

    from data_sources.ob3_export import Issuer, validate_credential
    from metrics.config import DEFAULT_CONFIG
    from metrics.credentials import person_credentials

    bundle = load_source(TINY, as_of=AS_OF)
    as_of = dt.date(2026, 6, 2)
    low = dataclasses.replace(DEFAULT_CONFIG.proficiency, evidence_threshold=0.1)  # one item is enough here
    creds = person_credentials(bundle, "E2", as_of, Issuer("https://hr.example", "Acme HR"), config=low)
    # E2: SQL performance_task level 3 (2026-06-01), SM rubric_review level 3 (2026-05-01), both verified
    assert [(c["credentialSubject"]["achievement"]["alignment"][0]["targetCode"], c["validFrom"]) for c in creds] == [
        ("SM@3", "2026-05-01T00:00:00Z"),
        ("SQL@3", "2026-06-01T00:00:00Z"),
    ]
    assert all(validate_credential(c) == [] for c in creds)
    assert person_credentials(bundle, "E2", as_of, Issuer("https://hr.example", "Acme HR")) == []  # default threshold
    assert person_credentials(bundle, "nobody", as_of, Issuer("https://hr.example", "Acme HR"), config=low) == []


def test_credentials_subfolder_is_found_and_a_trusted_key_file_verifies_a_did_web_issuer(tmp_path):
    from cryptography.hazmat.primitives import serialization

    key = Ed25519PrivateKey.generate()
    method = "did:web:issuer.example#key-1"
    signed = sign_credential(credential(), key, created="2026-03-01T00:00:00Z", verification_method=method)
    folder = tmp_path / "src"
    shutil.copytree(TINY, folder)
    (folder / "credentials").mkdir()
    (folder / "credentials" / "sql.json").write_text(json.dumps(signed))
    (folder / "issuer.pem").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "s.toml").write_text(
        f"""
[source]
path = "src"
as_of = "{AS_OF}"
[tables.evidence.identity.map]
"did:example:e2" = "E2"
[tables.evidence.credential_map]
"{U}SQL" = "SQL"
[tables.evidence.credential_levels]
default = 3
[tables.evidence.trusted_keys]
"{method}" = "issuer.pem"
"""
    )
    bundle = load_source(tmp_path / "s.toml")
    ev = bundle.tables["evidence"].filter(evidence_type="credential", source="Acme Academy")
    assert ev.select("employee_id", "competency_id", "level", "verified").rows() == [("E2", "SQL", 3, True)]
    rep = next(t for t in bundle.report.tables if t.table == "evidence")
    assert rep.source == "evidence.csv + credentials" and (rep.read, rep.accepted) == (6, 6)
    # the key file was read by the configuration, but no table read it: it is listed, not silently skipped
    assert [n.rsplit(": ", 1)[1] for n in bundle.report.notes if "not read" in n] == ["issuer.pem"], bundle.report.notes


def test_a_bad_trusted_key_is_one_clear_configuration_error(tmp_path):
    cfg = source(tmp_path, {}, '[tables.evidence.trusted_keys]\n"did:web:x#k" = "not a key"\n')
    with pytest.raises(SourceError, match=r"\[tables\.evidence\.trusted_keys\] 'did:web:x#k': "):
        load_source(cfg)
