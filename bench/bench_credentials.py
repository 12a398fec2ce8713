"""Open Badges 3.0 credentials: time to sign, verify and import (eddsa-rdfc-2022, offline).

    .venv/bin/python bench/bench_credentials.py [--n 200]

Prints milliseconds per credential for signing, verifying and the whole import
(parse, map, verify, validate through ``load_source``), best of 3 runs, and the
import rate against verification alone as a ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data_sources.config import SourceConfig  # noqa: E402
from data_sources.loader import load_source  # noqa: E402
from data_sources.proof import OB_V3_CONTEXT, VC_V2, sign_credential, verify_credential  # noqa: E402


def credential(i: int) -> dict:
    return {
        "@context": [VC_V2, OB_V3_CONTEXT],
        "id": f"urn:uuid:bench-{i}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"], "name": "Bench Academy"},
        "validFrom": "2026-03-01T00:00:00Z",
        "name": "SQL badge",
        "credentialSubject": {
            "id": "did:example:e2",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/sql",
                "type": ["Achievement"],
                "name": "SQL",
                "description": "Writes SQL.",
                "criteria": {"narrative": "Passed."},
            },
        },
    }


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    n = ap.parse_args().n
    key = Ed25519PrivateKey.generate()
    creds = [credential(i) for i in range(n)]
    signed: list[dict] = []
    t_sign = best(
        lambda: signed.__setitem__(
            slice(None), [sign_credential(c, key, created="2026-03-01T00:00:00Z") for c in creds]
        )
    )
    t_verify = best(lambda: [verify_credential(s) for s in signed])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "src"
        shutil.copytree(ROOT / "tests" / "fixtures" / "tiny", folder)
        (folder / "credentials").mkdir()
        (folder / "credentials" / "all.json").write_text(json.dumps(signed))
        cfg = SourceConfig.from_dict(
            {
                "source": {"as_of": "2026-09-30"},
                "tables": {
                    "evidence": {
                        "identity": {"map": {"did:example:e2": "E2"}},
                        "credential_map": {"https://issuer.example/achievements/sql": "SQL"},
                        "credential_levels": {"default": 3},
                    }
                },
            },
            base_dir=folder,
        )
        bundle = load_source(cfg, as_of=dt.date(2026, 9, 30))
        verified = bundle.tables["evidence"].filter(source="Bench Academy")["verified"].sum()
        t_load = best(lambda: load_source(cfg, as_of=dt.date(2026, 9, 30)))
    print(f"credentials: {n}; verified on import: {verified}")
    print("| step | ms per credential |")
    print("|---|---:|")
    print(f"| sign | {1000 * t_sign / n:.1f} |")
    print(f"| verify | {1000 * t_verify / n:.1f} |")
    print(f"| import (load_source) | {1000 * t_load / n:.1f} |")
    print(f"import / verify: {t_load / t_verify:.2f}x")


if __name__ == "__main__":
    main()
