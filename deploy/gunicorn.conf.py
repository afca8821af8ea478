# gunicorn -c deploy/gunicorn.conf.py
# Behind a buffering HTTPS proxy (deploy/Caddyfile); set RECOVERY_COACH_SKILL_ID, or
# RECOVERY_COACH_DEV=1 for a local dev server (no signature checks; it warns on start).
#
# Threaded workers: a client that stalls mid-request holds one thread, not a whole worker,
# so /health and other users keep being answered (with sync workers two stalled clients
# can block /health). The proxy in front buffers whole requests, so stalls should
# not reach here at all; this is the second line.
import os

wsgi_app = "skill.server.app:create_app()"
bind = os.environ.get("RECOVERY_COACH_BIND", "127.0.0.1:5000")
workers = 2
worker_class = "gthread"
threads = 8  # per worker: stalled clients each hold one
timeout = 30  # a worker silent this long is restarted
graceful_timeout = 10
keepalive = 5  # idle keep-alive connections are closed after this many seconds
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = "-"
