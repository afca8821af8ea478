"""The skill app as gunicorn serves it for `bench/alexa_skill.py`: verification on, trusting the
benchmark's own test CA, with the signing chain served from memory (no network); or, with
BENCH_DEV set, in dev mode (no signature checks)."""

import os
from pathlib import Path

from cryptography import x509

from skill.alexa.verify import Verifier
from skill.server.app import create_app

_dir = Path(os.environ["BENCH_CA_DIR"])
_chain = (_dir / "chain.pem").read_bytes()
_verifier = Verifier(
    os.environ["RECOVERY_COACH_SKILL_ID"],
    roots=[x509.load_pem_x509_certificate((_dir / "root.pem").read_bytes())],
    fetch=lambda url: _chain,
    check_signature=not os.environ.get("BENCH_DEV"),
)
app = create_app(verifier=_verifier, db_path=_dir / "bench.sqlite3")
