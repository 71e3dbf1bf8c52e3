"""Make sure the database in ``DATABASE_URL`` exists (PostgreSQL): create it when it does not.

``make run-prod`` runs it first, so one command brings a fresh machine's PostgreSQL into use. It needs
a role allowed to create databases (the ``postgres`` superuser of a local install is); otherwise it
says what to run by hand. On SQLite there is nothing to do (the file is made on first use).
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError
from psycopg import sql


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DB_IS_POSTGRES:
            return
        db = connection.settings_dict
        try:
            connection.ensure_connection()
            return
        except OperationalError as error:
            if "does not exist" not in str(error):
                raise CommandError(
                    f"PostgreSQL at {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432} does not answer: "
                    f"{error}\nIs it running? (Debian: apt-get install postgresql; systemctl start postgresql)"
                ) from error
        params: dict[str, str] = {"dbname": "postgres", "connect_timeout": "5"}
        for key, name in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")):
            if db.get(name):
                params[key] = str(db[name])
        conninfo = psycopg.conninfo.make_conninfo(**params)
        try:
            with psycopg.connect(conninfo, autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        except psycopg.Error as error:
            raise CommandError(
                f"Could not create the database {db['NAME']!r}: {error}\n"
                f"Create it by hand: sudo -u postgres createdb -O {db.get('USER') or 'postgres'} {db['NAME']}"
            ) from error
        self.stdout.write(f"Created the database {db['NAME']!r}.")
