"""Load the demo task forces, agencies, accounts and synthetic records (idempotent)."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from taskforce import demo
from taskforce.rls import task_force_scope

DEFAULT_PASSWORD = "demo-password-2026"


class Command(BaseCommand):
    help = "Create the two demo task forces with synthetic records and the demo accounts of api.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password for every demo account")

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        modules = []
        # Each domain app may add its synthetic records in <app>/demo.py: load(world=...).
        for config in apps.get_app_configs():
            if config.name == "taskforce":
                continue
            try:
                modules.append(importlib.import_module(f"{config.name}.demo"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
        # One task force at a time, each in its own transaction under its own scope.
        for spec in demo.TASK_FORCES:
            with task_force_scope(None):  # demo.load narrows it to its task force
                world = demo.load(password=password, slug=spec["slug"])
                for module in modules:
                    module.load(world=world)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in at http://127.0.0.1:8000/ with:"))
        width = max(len(account[1]) for account in demo.ACCOUNTS)
        for slug, email, _name, agency, role in demo.ACCOUNTS:
            self.stdout.write(f"  {email:<{width}}  {slug:<13} {role:<16} {agency}")
        self.stdout.write(f"Password for every account: {password}")
