"""Structured logs (core/json_logs.py): one JSON object per line, with what a log call and gunicorn add."""

from __future__ import annotations

import json
import logging
import sys

from core.json_logs import JsonFormatter


def _record(name: str, msg: str, args=None, exc_info=None, **extra) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_becomes_one_json_line_with_its_extra_fields_and_traceback():
    try:
        raise ValueError("broken photo")
    except ValueError:
        exc = sys.exc_info()
    line = JsonFormatter().format(
        _record("notebridge.tasks", "task %s failed", ("fan_out_note",), exc, note_id=42, queues=["high"], obj=object())
    )
    assert "\n" not in line  # one line: the traceback's newlines are escaped
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "notebridge.tasks"
    assert data["message"] == "task fan_out_note failed"
    assert data["note_id"] == 42 and data["queues"] == ["high"]
    assert isinstance(data["obj"], str)  # anything else is written as text, never breaks the line
    assert "ValueError: broken photo" in data["exception"]
    assert data["time"].endswith("+00:00")


def test_gunicorns_access_log_gets_fields():
    atoms = {"h": "192.0.2.7", "m": "GET", "U": "/api/v1/timelines/home", "q": "limit=20", "s": "200", "B": 512}
    atoms.update({"M": 14, "a": "Tusky/25", "f": "-"})
    data = json.loads(JsonFormatter().format(_record("gunicorn.access", "%(h)s %(m)s %(U)s", atoms)))
    assert data["method"] == "GET" and data["path"] == "/api/v1/timelines/home" and data["status"] == "200"
    assert data["duration_ms"] == 14 and data["remote"] == "192.0.2.7" and data["user_agent"] == "Tusky/25"
    assert "referer" not in data  # "-" means none


def test_djangos_request_log_names_the_request_without_dumping_it(rf):
    request = rf.post("/api/v1/statuses")
    data = json.loads(
        JsonFormatter().format(
            _record("django.request", "Internal Server Error", None, None, request=request, status_code=500)
        )
    )
    assert data["method"] == "POST" and data["path"] == "/api/v1/statuses" and data["status_code"] == 500
