"""A WSGI application that answers with its process's interpreter switch interval (``sys.getswitchinterval``):
served by gunicorn with ``deploy/gunicorn.conf.py``, it shows what the production web workers run with."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [repr(sys.getswitchinterval()).encode()]
