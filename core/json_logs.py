"""Structured logs: one JSON object per line (``LOG_FORMAT=json``), for journald and log shippers.

Fields: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``process``; ``exception`` with
the traceback when there is one; and any plain value passed with ``extra={...}`` (a task id, a note
id, a queue). Django's request log adds ``status_code`` and the request's method and path. gunicorn's
access log uses the same formatter (deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has: anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


# gunicorn's access log atoms, by name (gunicorn.glogging.Logger.atoms).
_ACCESS_FIELDS = {
    "remote": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "user_agent": "a",
    "referer": "f",
}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_") or key in out:
                continue
            if key == "request":  # Django's request log: the request itself is not a plain value
                out["method"] = getattr(value, "method", None)
                out["path"] = getattr(value, "path", None)
                continue
            out[key] = _plain(value)
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for field, atom in _ACCESS_FIELDS.items():
                if atom in atoms and atoms[atom] not in ("-", None):
                    out[field] = _plain(atoms[atom])
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)
