"""CSV and XLSX files of a report. Cells that a spreadsheet would run as a formula are
neutralised; the Coalition flavour shows counts from 1 to 4 as "<5" and withholds a second
count ("*") wherever a total would give a small one away."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from taskforce.spreadsheets import neutralise

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


SMALL = "<5"
WITHHELD = "*"  # a count withheld so that a small one cannot be worked out from the others


def shown(value: int, *, coalition: bool) -> int | str:
    return SMALL if coalition and 1 <= value <= 4 else value


def suppressed(rows: list[dict[str, Any]]) -> dict[str, int | str]:
    """Each code's value as the Coalition flavour shows it: counts from 1 to 4 as "<5", plus
    complementary suppression. Where a total and its parts add up ("tips_received" and
    "tips_received.sex", ".labor", ...), one hidden part could be worked out as the total minus
    the others (8 - 5 = 3): a second part is withheld too, the smallest one shown, or the total
    when no other part is left to hide."""
    values = {row["code"]: row["value"] for row in rows}
    out: dict[str, int | str] = {code: shown(value, coalition=True) for code, value in values.items()}
    groups: dict[str, list[str]] = {}
    for code in values:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        if parent in values:
            groups.setdefault(parent, []).append(code)
    for parent, parts in groups.items():
        if sum(values[p] for p in parts) != values[parent]:
            continue  # not a breakdown of the total (a subset such as "charged with trafficking")
        hidden = [p for p in [parent, *parts] if not isinstance(out[p], int)]
        if len(hidden) != 1:
            continue  # nothing hidden, or already two unknowns
        candidates = sorted((values[p], p) for p in parts if isinstance(out[p], int) and values[p] > 0)
        if candidates:
            out[candidates[0][1]] = WITHHELD
        elif isinstance(out[parent], int) and values[parent] > 0:
            out[parent] = WITHHELD
    return out


def csv_bytes(blocks: dict[str, list[dict[str, Any]]], *, coalition: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "label", "value"])
    for rows in blocks.values():
        values = suppressed(rows) if coalition else {row["code"]: row["value"] for row in rows}
        for row in rows:
            writer.writerow([neutralise(row["code"]), neutralise(row["label"]), values[row["code"]]])
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
        sheet.append(["Withheld", "* marks a count withheld so that a <5 cannot be worked out from a total."])
    for block, rows in blocks.items():
        page = workbook.create_sheet(BLOCK_TITLES.get(block, block)[:31])
        page.append(["code", "label", "value"])
        values = suppressed(rows) if coalition else {row["code"]: row["value"] for row in rows}
        for row in rows:
            page.append([neutralise(row["code"]), neutralise(row["label"]), values[row["code"]]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
