"""Django's PostgreSQL backend with a health check that costs no round trip while nothing has come from
the server.

``CONN_HEALTH_CHECKS`` (docs/deploy.md, "Database connections") makes Django check a kept connection
once per request before its first query, and Django's check is a ``SELECT 1``: one more round trip to
PostgreSQL on every request, about a twelfth of a home-timeline request's server time at scale
(docs/benchmarks.md, session 12). A server that closes a connection (a restart, a failover,
``pg_terminate_backend``, an idle timeout) sends an error message and closes the socket, and either makes
the idle socket readable; a healthy idle connection in autocommit has nothing to read. So the socket is
polled without waiting, and only a connection with something to read (or closed already) gets Django's
full check, which then fails and replaces it. A connection cut silently (a network partition with no
reset) is not seen by the poll; Django's ``SELECT 1`` would have waited for the socket's timeout on it
too, and the query that meets it fails as it would have.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _writable, _failed = select.select([connection.fileno()], [], [], 0)
        except Exception:  # a socket already gone: OSError, ValueError or psycopg's OperationalError
            return False
        return bool(super().is_usable()) if readable else True
