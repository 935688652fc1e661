"""One rule for every CSV or XLSX the platform writes (report exports, the audit log): a text
cell that starts like a formula gets a leading apostrophe, so a spreadsheet shows it, never
runs it (CSV/formula injection)."""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
