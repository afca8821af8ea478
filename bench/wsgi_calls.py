"""Calls the skill's WSGI app in-process N times, for bench/instructions.py to count the
instructions under valgrind: `python bench/wsgi_calls.py DIR MODE N`, where DIR holds the
test CA's chain, root and a signed LaunchRequest (request.json), and MODE is health (GET
/health), dev (POST /alexa, no signature check) or verified (POST /alexa, signature checked).
The environs are built before the calls, for every N alike, so only the calls differ."""

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from cryptography import x509
from werkzeug.test import EnvironBuilder

from skill.alexa.verify import Verifier
from skill.server.app import create_app
from skill.sim.chat import DEV_SKILL_ID

BUILT = 300  # environs made in every run, whatever N


def main() -> None:
    folder, mode, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    fixed = json.loads((folder / "request.json").read_text())
    body = fixed["body"].encode()
    sent_at = datetime.fromisoformat(json.loads(body)["request"]["timestamp"])
    verifier = Verifier(
        DEV_SKILL_ID,
        roots=[x509.load_pem_x509_certificate((folder / "root.pem").read_bytes())],
        fetch=lambda url: (folder / "chain.pem").read_bytes(),
        check_signature=mode == "verified",
        clock=lambda: sent_at,  # the signed request stays fresh however slow valgrind is
    )
    app = create_app(verifier=verifier, db_path=Path(tempfile.mkdtemp()) / "calls.sqlite3")
    headers = {**fixed["headers"], "Content-Type": "application/json"}
    statuses: list[str] = []

    def call(environ: dict) -> None:
        out = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(out)
        out.close()  # as a server does: the save after the answer runs here

    def environ() -> dict:
        if mode == "health":
            return EnvironBuilder("/health", method="GET").get_environ()
        return EnvironBuilder("/alexa", method="POST", data=body, headers=headers).get_environ()

    call(environ())  # the first request's one-time work is not counted
    environs = [environ() for _ in range(BUILT)]
    for env in environs[:n]:
        call(env)
    if not all(s.startswith("200") for s in statuses):
        sys.exit(f"not every request was answered: {sorted(set(statuses))}")


if __name__ == "__main__":
    main()
