"""Report exports for the wall tests: the analyst of each task force requests one."""

from __future__ import annotations

import datetime as dt

from reporting import services
from tests.world import World, local_today


def add_exports(world: World) -> World:
    for tf in world.each_task_force():
        world.records[f"{tf}.export"] = services.export_request(
            actor=world.actor(f"{tf}.analyst"),
            month=(local_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1),
            file_format="csv",
        )
    return world
