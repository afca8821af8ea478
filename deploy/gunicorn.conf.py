# gunicorn -c deploy/gunicorn.conf.py
# Behind a buffering HTTPS proxy (deploy/Caddyfile); set RECOVERY_COACH_SKILL_ID, or
# RECOVERY_COACH_DEV=1 for a local dev server (no signature checks; it warns on start).
#
# Threaded workers: a client that stalls mid-request holds one thread, not a whole worker.
# gthread reads a request in one of its threads with no deadline of its own (`timeout` is
# the worker's heartbeat, `keepalive` only covers idle connections between requests), so
# the worker here adds one: a request must arrive whole within READ_DEADLINE seconds of
# being taken up, or its connection stops being read (the client sees it closed). Stalled
# clients then hold threads for READ_DEADLINE at most, and there are enough threads that
# a worker holding many of them still has some for /health and other users. The proxy in
# front buffers whole requests, so stalls should not reach here at all; this is the second
# line, and what holds when gunicorn is reached directly.
import contextlib
import os
import socket
import sys
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

READ_DEADLINE = 5  # seconds for a request to arrive whole (behind the proxy it arrives at once)


class ReadDeadlineWorker(ThreadWorker):
    """gthread, with a deadline on each request: a watcher thread shuts the reading side of
    any connection still being handled READ_DEADLINE seconds after it was taken up. The
    answer, if one is being made, is still sent; the connection is not kept alive after."""

    def init_process(self):
        self.handling = {}  # connection -> when its request must have arrived
        threading.Thread(target=self.enforce_deadlines, name="read-deadline", daemon=True).start()
        super().init_process()

    def handle(self, conn):
        self.handling[conn] = time.monotonic() + READ_DEADLINE
        try:
            return super().handle(conn)
        finally:
            self.handling.pop(conn, None)

    def enforce_deadlines(self):
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            for conn, deadline in list(self.handling.items()):
                if deadline < now and self.handling.pop(conn, None) is not None:
                    with contextlib.suppress(OSError):  # closed meanwhile
                        conn.sock.shutdown(socket.SHUT_RD)  # a blocked read returns at once, empty


def on_starting(server):
    """Before any worker starts: without the settings the app needs, one sentence and exit 1
    (not every worker's traceback and gunicorn's "Worker failed to boot")."""
    from skill.server.app import settings_problem

    problem = settings_problem()
    if problem:
        print(f"recovery-coach: gunicorn cannot start: {problem}.", file=sys.stderr, flush=True)
        sys.exit(1)


wsgi_app = "skill.server.app:create_app(preload_voice=True)"  # each worker loads the voice at start
bind = os.environ.get("RECOVERY_COACH_BIND", "127.0.0.1:5000")
workers = 2
worker_class = ReadDeadlineWorker
threads = 128  # per worker: one worker may take every stalled connection, each holds one
timeout = 30  # a worker silent this long is restarted
graceful_timeout = 10
keepalive = 5  # idle keep-alive connections are closed after this many seconds
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = "-"
