"""Nothing personal in any log line (issue 12, item 12): the development server's request log, gunicorn's
access and error logs, and every configured handler drop query strings and mask personal numbers."""

from __future__ import annotations

import datetime as dt
import io
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from gunicorn.config import Config

PHONE = "13812345678"
ID_NUMBER = "110108199003070016"
CONF = Path(settings.BASE_DIR) / "gunicorn_conf.py"


def _output_of(logger_name: str, emit) -> str:
    """What the configured handlers of `logger_name` write while `emit()` runs."""
    logger = logging.getLogger(logger_name)
    configured = logger.handlers if logger.handlers or not logger.propagate else logging.getLogger().handlers
    # the handlers of the LOGGING setting, not pytest's capture
    handlers = [
        h
        for h in configured
        if isinstance(h, logging.StreamHandler) and not type(h).__module__.startswith("_pytest")
    ]
    assert handlers, f"no stream handler for {logger_name}"
    buffers = []
    for handler in handlers:
        buffers.append((handler, handler.setStream(io.StringIO())))
    try:
        emit()
    finally:
        written = "".join(h.stream.getvalue() for h, _old in buffers)
        for handler, old in buffers:
            handler.setStream(old)
    return written


def test_the_development_server_log_has_no_query_string_and_no_personal_number():
    # given the request line runserver logs for a search by phone number
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    line = f"GET /consumers/?q={PHONE}&name=%E7%8E%8B HTTP/1.1"
    # when it is written through the configured django.server logger
    out = _output_of("django.server", lambda: handler.log_message('"%s" %s %s', line, "200", "512"))
    # then the path is there, the query string and the number are not
    assert "/consumers/" in out
    assert PHONE not in out and "q=" not in out and "%E7" not in out


def test_every_handler_carries_the_redaction_filter():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_pii" in handler.get("filters", []), name
    assert settings.LOGGING["loggers"]["django.server"]["handlers"]


def test_a_personal_number_in_any_message_is_masked():
    logger = logging.getLogger("xiaobao.test")
    out = _output_of("xiaobao.test", lambda: logger.warning("lookup %s for %s", ID_NUMBER, "/x/?phone=1"))
    assert ID_NUMBER not in out and "phone=1" not in out


def _gunicorn_logger(env: dict[str, str] | None = None):
    values = runpy.run_path(str(CONF))
    cfg = Config()
    for key in ("access_log_format", "logger_class", "accesslog", "errorlog", "loglevel"):
        cfg.set(key, values[key])
    return cfg.logger_class(cfg), cfg


def _access_line(path: str, query: str, referer: str = "-") -> str:
    log, cfg = _gunicorn_logger()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": referer,
    }
    resp = SimpleNamespace(status="200 OK", sent=512, headers=[])
    req = SimpleNamespace(headers=[("REFERER", referer)])
    atoms = log.atoms(resp, req, environ, dt.timedelta(milliseconds=12))
    return cfg.access_log_format % log.atoms_wrapper_class(atoms)


def test_the_gunicorn_access_line_has_no_query_string_and_no_personal_number():
    line = _access_line("/consumers/", f"q={PHONE}")
    assert "/consumers/" in line and " 200 " in line
    assert PHONE not in line and "q=" not in line


@pytest.mark.parametrize("atom", ["%(r)s", "%(q)s", "%(f)s", "%(U)s", "%({referer}i)s"])
def test_every_gunicorn_atom_is_safe_even_if_the_format_changes(atom):
    log, _cfg = _gunicorn_logger()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/password-reset/{ID_NUMBER}/?q={PHONE}",
        "PATH_INFO": f"/password-reset/{ID_NUMBER}/",
        "QUERY_STRING": f"q={PHONE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://xb.example/consumers/?q={PHONE}",
    }
    resp = SimpleNamespace(status="200 OK", sent=1, headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    rendered = atom % log.atoms_wrapper_class(log.atoms(resp, req, environ, dt.timedelta(0)))
    assert PHONE not in rendered and ID_NUMBER not in rendered


def test_the_gunicorn_error_log_is_redacted_too():
    log, _cfg = _gunicorn_logger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log.error_log.addHandler(handler)
    try:
        log.error("Error handling request %s", f"/consumers/?q={PHONE}")
    finally:
        log.error_log.removeHandler(handler)
    assert PHONE not in stream.getvalue() and "/consumers/" in stream.getvalue()
