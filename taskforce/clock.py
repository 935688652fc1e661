"""Dates in a task force's own time zone: "today" for a California task force is not UTC's."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The named zone, or UTC when the setting is empty or not a known zone."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_today(name: str | None) -> dt.date:
    return timezone.localdate(timezone=zone(name))
