# gunicorn -c deploy/gunicorn.conf.py   (behind an HTTPS proxy; set RECOVERY_COACH_SKILL_ID)
wsgi_app = "skill.alexa.app:create_app()"
bind = "127.0.0.1:5000"
workers = 2
timeout = 30
accesslog = "-"
