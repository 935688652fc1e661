"""``migrate`` as the owner role, then grant the running role its DML rights.

With ``DATABASE_OWNER_URL`` set, migrations run on the ``owner`` connection (the role that owns
the schema) and the running role (``DATABASE_URL``) is granted exactly what it needs. Without
it (one role), this is Django's own ``migrate``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from taskforce.dbroles import OWNER_ALIAS, grant_app_role


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs as DATABASE_OWNER_URL's role when set, then grants the running role."

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database"] == DEFAULT_DB_ALIAS and OWNER_ALIAS in settings.DATABASES:
            options["database"] = OWNER_ALIAS
        super().handle(*args, **options)
        if grant_app_role(connections[options["database"]]) and options["verbosity"] >= 1:
            self.stdout.write("Granted the running role its DML rights (audit log: INSERT and SELECT).")
