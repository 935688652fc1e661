"""Charts of the report dashboard, drawn on the server as SVG (readable without JavaScript).

Python only computes numbers: coordinates, tick positions and the text of labels. The templates
``reporting/partials/chart_line.html`` and ``chart_bars.html`` draw the ``<svg>`` from them, so
nothing is ever marked safe and every label goes through the template's escaping. Colours come
from CSS classes (``series-<key>``, styled in ``static/css/reporting.css``), never inline styles.
Each chart carries a ``<title>``, a ``<desc>`` and a visually hidden data table as its text
alternative.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Series:
    key: str  # CSS class suffix and id part: letters, digits, dashes and underscores only
    label: str
    values: Sequence[int]


def nice_max(value: int) -> int:
    """The top of the value axis: four equal whole-number steps of a round size, at or above
    ``value`` (4 at least)."""
    if value <= 4:
        return 4
    quarter = value / 4
    magnitude = 10 ** math.floor(math.log10(quarter))
    for factor in (1, 2, 3, 4, 5, 6, 8, 10):
        step = factor * magnitude
        if step >= quarter:
            return int(step * 4)
    return value  # pragma: no cover


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    months: Sequence[dt.date],
    series: Sequence[Series],
    width: int = 420,
    height: int = 230,
) -> dict[str, Any]:
    """A line per series over ``months`` (oldest first), one point a month."""
    left, right, top, bottom = 40, 14, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values), default=0)
    y_top = nice_max(peak)
    count = max(len(months), 1)
    step = plot_w / (count - 1) if count > 1 else 0

    def x_at(i: int) -> float:
        return left + i * step if count > 1 else left + plot_w / 2

    def y_at(v: int) -> float:
        return top + plot_h - (v / y_top) * plot_h

    ticks = [{"y": _fmt(y_at(y_top * i // 4)), "label": str(y_top * i // 4), "x": left - 6} for i in range(5)]
    x_labels = []
    # A year is written under January and under the first month, except when a January follows
    # within two months: the two years would overlap ("2025" "2026" a step apart).
    january_soon = any(m.month == 1 for m in months[1:3])
    for i, month in enumerate(months):
        first = (i == 0 and not january_soon) or month.month == 1
        x_labels.append(
            {
                "x": _fmt(x_at(i)),
                "month": f"{month:%b}",
                "year": f"{month:%Y}" if first else "",
                # Every other month's label is hidden on a narrow screen (reporting.css).
                "minor": (len(months) - 1 - i) % 2 == 1,
            }
        )
    lines = []
    for s in series:
        points = [{"x": _fmt(x_at(i)), "y": _fmt(y_at(v)), "value": v} for i, v in enumerate(s.values)]
        lines.append(
            {
                "key": s.key,
                "label": s.label,
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
            }
        )
    rows = [
        {"month": f"{month:%b %Y}", "values": [s.values[i] for s in series]} for i, month in enumerate(months)
    ]
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "width": width,
        "height": height,
        "plot": {"left": left, "right": width - right, "top": top, "bottom": top + plot_h},
        "ticks": ticks,
        "x_labels": x_labels,
        "x_label_y": top + plot_h + 18,
        "x_year_y": top + plot_h + 34,
        "lines": lines,
        "legend": [
            {"key": s.key, "label": s.label, "latest": s.values[-1] if s.values else 0} for s in series
        ],
        "latest_month": f"{months[-1]:%b}" if months else "",
        "headers": [s.label for s in series],
        "rows": rows,
        "empty": peak == 0,
    }


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[tuple[str, str]],
    series: Sequence[Series],
    width: int = 420,
) -> dict[str, Any]:
    """Horizontal grouped bars: one group per category (label above its bars), one bar per series.

    ``categories`` are ``(code, label)``; each series has one value per category, in order.
    Labels sit above the bars so the chart stays readable when scaled down to a phone.
    """
    label_h, bar_h, bar_gap, group_gap, value_room = 18, 16, 4, 14, 48
    bar_max = width - value_room
    peak = max((v for s in series for v in s.values), default=0)
    scale = bar_max / peak if peak else 0
    groups = []
    y = 4
    for index, (code, label) in enumerate(categories):
        group: dict[str, Any] = {"code": code, "label": label, "label_y": y + 13, "bars": []}
        y += label_h
        for s in series:
            value = s.values[index]
            length = value * scale
            group["bars"].append(
                {
                    "key": s.key,
                    "series": s.label,
                    "value": value,
                    "y": y,
                    "height": bar_h,
                    # A zero still shows a hairline so the row does not look missing.
                    "width": _fmt(max(length, 1.5)),
                    "text_x": _fmt(max(length, 1.5) + 6),
                    "text_y": y + bar_h - 3,
                }
            )
            y += bar_h + bar_gap
        groups.append(group)
        y += group_gap
    rows = [
        {"label": label, "values": [s.values[i] for s in series]}
        for i, (_code, label) in enumerate(categories)
    ]
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "width": width,
        "height": max(y, 20),
        "groups": groups,
        "legend": [{"key": s.key, "label": s.label} for s in series],
        "headers": [s.label for s in series],
        "rows": rows,
        "empty": peak == 0,
    }
