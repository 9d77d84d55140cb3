"""Gunicorn settings for production: `gunicorn -c python:xiaobao.gunicorn_conf xiaobao.wsgi`.

Every value can be overridden from the environment (documented in docs/deployment.md):

- XIAOBAO_BIND (127.0.0.1:8000) — behind the front web server or load balancer;
- XIAOBAO_WEB_WORKERS (2 × CPU cores + 1) — Django is CPU-bound Python; more processes than cores keep
  the cores busy while some workers wait on PostgreSQL;
- XIAOBAO_WEB_THREADS (2) — gthread workers: keep-alive connections from the load balancer and a second
  request per process while the first waits on the database;
- XIAOBAO_WEB_TIMEOUT (60 s) — report and import work runs in the task worker, never in a request.

The access log leaves out the query string (`%(U)s`, the path only): list searches and filters can carry
personal data (a customer's name or phone number typed into the search box), and logs never hold it. The
logger class drops query strings and masks personal numbers in every atom and in the error log too, so a
changed format cannot bring them back.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("XIAOBAO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("XIAOBAO_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("XIAOBAO_WEB_THREADS", 2))
timeout = int(os.environ.get("XIAOBAO_WEB_TIMEOUT", 60))
keepalive = 5
max_requests = 5000  # recycle workers now and then (bounded memory), staggered so they never all restart
max_requests_jitter = 500
accesslog = os.environ.get("XIAOBAO_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "xiaobao.core.vault.logging.RedactingGunicornLogger"
errorlog = "-"
loglevel = os.environ.get("XIAOBAO_LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("XIAOBAO_FORWARDED_ALLOW_IPS", "127.0.0.1")
