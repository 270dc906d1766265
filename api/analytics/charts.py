"""SVG charts of the (already suppressed) tables, drawn by pygal: no script, no external resource.

A hidden cell ("< 5") is drawn as no value. The page fetches a chart with the staff token and
shows it as an image (a `data:` URL: the page's policy allows images from data:, and an SVG shown
as an image runs nothing).

    svg = render(suppress(table), "vi")
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import pygal
from pygal.etree import etree
from pygal.style import Style

from api.analytics.tables import Table

# pygal appends a finder for its `pygal.maps` plugins that has no find_spec: every later import of a
# module that is not installed then raises ImportWarning (an error under the tests). Maps are not used.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1d2430", foreground_strong="#1d2430",
              foreground_subtle="#cfd6df", colors=("#0b4a8b", "#a4161a", "#1b6e3a", "#e6a700", "#6b3fa0", "#4f5b6b"),
              font_family="system-ui, sans-serif", title_font_size=16, label_font_size=12, legend_font_size=12)  # fmt: skip


WORDS = {  # row keys drawn as labels, as the page shows them
    "without_person": ("Không cần tổng đài viên", "Without a person"), "with_person": ("Có tổng đài viên", "With a person"),
    "requested": ("Công dân yêu cầu", "Asked for a person"), "repeated_failure": ("Không trả lời được nhiều lần", "Repeated failure"),
    "negative_feedback": ("Đánh giá không hữu ích", "Negative feedback"), "complaint": ("Khiếu nại", "Complaint"), "urgent": ("Khẩn cấp", "Urgent"),
    "answered": ("Đã trả lời", "Answered"), "clarify": ("Hỏi lại", "Clarify"), "unanswerable": ("Không trả lời được", "Unanswerable"),
    "all": ("Tất cả", "All"), "without_diacritics": ("Gõ không dấu", "Without diacritics"), "with_diacritics": ("Gõ có dấu", "With diacritics"),
    "vi": ("Tiếng Việt", "Vietnamese"), "en": ("Tiếng Anh", "English"),
}  # fmt: skip


def word(value: object, lang: str) -> str:
    pair = WORDS.get(str(value))
    return str(value) if pair is None else pair[lang == "en"]


@dataclass(frozen=True)
class Chart:
    kind: str  # bar | hbar | pie
    label: str  # the column naming each bar or slice
    values: tuple[str, ...]  # the columns drawn (one series each)


CHARTS: dict[str, Chart] = {
    "containment": Chart("pie", "outcome", ("conversations",)),
    "handoff_reasons": Chart("bar", "reason", ("handoffs",)),
    "answer_status": Chart("pie", "status", ("answers",)),
    "procedures": Chart("hbar", "procedure", ("answered", "helpful_rate")),
    "ratings": Chart("bar", "rating", ("ratings",)),
    "waits": Chart("bar", "queue", ("wait_p50", "wait_p90")),
    "top_procedures": Chart("hbar", "procedure", ("conversations",)),
    "hours": Chart("bar", "hour", ("messages",)),
    "languages": Chart("pie", "language", ("conversations",)),
    "answer_quality": Chart("bar", "group", ("answered", "helpful_rate")),
    "forms": Chart("bar", "form", ("started", "completed", "abandoned")),
}


def number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def render(table: Table, lang: str) -> str:
    """The table's chart as SVG text (an empty chart says "no data" in `lang`)."""
    chart = CHARTS[table.key]
    config = {"style": STYLE, "js": [], "width": 640, "height": 320, "disable_xml_declaration": True, "legend_at_bottom": True,
              "no_data_text": "Không có dữ liệu" if lang == "vi" else "No data", "print_values": False, "truncate_label": 24}  # fmt: skip
    if chart.kind == "pie":
        drawing = pygal.Pie(inner_radius=0.45, **config)
        for row in table.rows:
            value = number(row.get(chart.values[0]))
            if value:
                drawing.add(word(row[chart.label], lang), value)
    else:
        drawing = (pygal.HorizontalBar if chart.kind == "hbar" else pygal.Bar)(x_label_rotation=0 if chart.kind == "hbar" else 30, **config)
        drawing.x_labels = [word(row[chart.label], lang) for row in table.rows]
        for key in chart.values:
            series = [number(row.get(key)) for row in table.rows]
            if any(v is not None for v in series):
                drawing.add(table.column(key).label(lang), series)
    drawing.title = table.title(lang)
    return without_scripts(drawing.render_tree())


def without_scripts(svg: Any) -> str:
    """pygal always embeds its tooltip configuration as a script: an image needs none."""
    for parent in svg.iter():
        for child in [c for c in parent if str(c.tag).endswith("script")]:
            parent.remove(child)
    return etree.tostring(svg, encoding="unicode")  # pygal's etree: lxml or the standard library's
