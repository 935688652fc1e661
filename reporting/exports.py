"""CSV and XLSX files of a report. Cells that a spreadsheet would run as a formula are
neutralised; the Coalition flavour shows counts from 1 to 4 as "<5"."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BLOCK_TITLES = {
    "victim_services": "Victim services (OVC)",
    "law_enforcement": "Law enforcement (BJA)",
    "activity": "Training, outreach, MDT",
}
COUNTING_RULES = (
    "Federal fiscal year from 1 October. A client is served in a period with at least one service "
    "delivery dated in it; new in the period holding their first delivery of the fiscal year, "
    "continuing otherwise. Demographics are of new clients. 'Not reported' is its own category. "
    "Clients are unduplicated within an agency, and across agencies only through consented "
    "referral links. Quarterly, half-year and yearly client counts are recounted over the whole "
    "period. Eligible family members are counted apart."
)


def neutralise(value: Any) -> Any:
    """A text cell starting like a formula gets a leading apostrophe: shown, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def shown(value: int, *, coalition: bool) -> int | str:
    return "<5" if coalition and 1 <= value <= 4 else value


def csv_bytes(blocks: dict[str, list[dict[str, Any]]], *, coalition: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "label", "value"])
    for rows in blocks.values():
        for row in rows:
            writer.writerow(
                [neutralise(row["code"]), neutralise(row["label"]), shown(row["value"], coalition=coalition)]
            )
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(
    blocks: dict[str, list[dict[str, Any]]],
    *,
    coalition: bool,
    cover: Iterable[tuple[str, str]],
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cover"
    for label, value in cover:
        sheet.append([neutralise(label), neutralise(value)])
    sheet.append(["Counting rules", COUNTING_RULES])
    if coalition:
        sheet.append(["Small cells", "Counts from 1 to 4 are shown as <5."])
    for block, rows in blocks.items():
        page = workbook.create_sheet(BLOCK_TITLES.get(block, block)[:31])
        page.append(["code", "label", "value"])
        for row in rows:
            page.append(
                [neutralise(row["code"]), neutralise(row["label"]), shown(row["value"], coalition=coalition)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
