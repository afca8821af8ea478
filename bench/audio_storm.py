"""/audio under a storm: the real gunicorn (deploy/gunicorn.conf.py, two workers) asked for
24 different tracks at once, in one voice, in 24 espeak-ng voices and in 24 rates of the
neural voice, while /health is probed every few hundredths of a second and the workers'
memory is read. Figures are ratios to the same server at rest, measured in the same run:
/health's worst and median answer during each storm against its worst at rest, and a
worker's largest memory against its memory at rest. Requests go to 127.0.0.1 only."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "alexa")]

from gunicornkit import Gunicorn, HealthWatch  # noqa: E402
from stormkit import STORM, keys_storm, rates_storm, storm, voices_storm  # noqa: E402

from bench.results import write_section  # noqa: E402
from speech.local.engine import DEFAULT_RATE, list_voices  # noqa: E402
from speech.local.piper_engine import VOICE_ID  # noqa: E402

ESPEAK = "gmw/en-us"
REST_S = 3.0  # /health probed at rest this long, for the baseline


def main() -> None:
    voices = [ESPEAK, *(v.id for v in list_voices() if v.id != ESPEAK)][:STORM]
    rates = [DEFAULT_RATE + 2 * n for n in range(STORM)]
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "RECOVERY_COACH_CACHE_DIR": f"{tmp}/cache",
            "RECOVERY_COACH_DB": f"{tmp}/coach.sqlite3",
            "RECOVERY_COACH_AUDIO_BASE_URL": "https://coach.example",
            "RECOVERY_COACH_AUDIO_VOICES": ",".join(voices),
            "RECOVERY_COACH_AUDIO_RATES": ",".join(map(str, rates)),
        }
        with Gunicorn(env) as server:
            with HealthWatch(server) as rest:
                time.sleep(REST_S)  # a benchmark's own pace: how the server answers while idle
            rest_worst, rest_mb = max(rest.times), max(server.worker_rss_mb())
            rows = []
            for name, refs in (
                ("24 plans and steps, one espeak-ng voice", keys_storm(ESPEAK, DEFAULT_RATE)),
                ("24 espeak-ng voices", voices_storm(voices, DEFAULT_RATE)),
                ("24 rates of the neural voice", rates_storm(VOICE_ID, rates)),
            ):
                started = time.monotonic()
                result = storm(server, refs)
                took = time.monotonic() - started
                codes, worst = result.codes(), max(result.health)
                other = len(codes) - codes.count(200) - codes.count(503)
                rows.append(
                    f"| {name} | {codes.count(200)} / {codes.count(503)} / {other} | {took:.1f} s"
                    f" | {statistics.median(result.health) * 1000:.1f} ms | {worst * 1000:.1f} ms"
                    f" | **{worst / rest_worst:.1f}x** | {len(result.health_failures)}"
                    f" | {result.worst_rss_mb:.0f} MB | **{result.worst_rss_mb / rest_mb:.1f}x** |"
                )
    write_section(
        "Audio under a storm",
        f"{STORM} GETs of different tracks released at once against gunicorn with deploy/gunicorn.conf.py "
        "(2 workers, one render at a time per worker and 3 waiting, the rest 503 with Retry-After; at most 2 "
        "voices held per worker), while /health is probed every few hundredths of a second. At rest: /health's "
        f"worst answer {rest_worst * 1000:.1f} ms over {REST_S:.0f} s, a worker {rest_mb:.0f} MB.\n\n"
        "| storm | 200 / 503 / other | storm lasted | /health median | /health worst | worst / at rest "
        "| /health failures | largest worker | / at rest |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n" + "\n".join(rows),
    )


if __name__ == "__main__":
    main()
