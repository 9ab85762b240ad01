"""gunicorn settings, each overridable from the environment."""

import os

import gunicorn
import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Workers are recycled to cap any slow memory growth, but each restart boots
# Django again: at 2,000 requests that happened every few seconds under load,
# costing about a quarter of the throughput and a p99 of hundreds of ms
# (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "1" else None
# Only method, path (never a query string), status, size and duration: no IPs.
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
errorlog = "-"
control_socket_disable = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# No version banner in the Server header.
for module in (gunicorn, gunicorn.http.wsgi):
    module.SERVER = module.SERVER_SOFTWARE = "clinic"
