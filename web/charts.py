"""Server-rendered SVG bar charts: no JavaScript, no CDN, allowed by our strict CSP.

Only presentation *attributes* are used (``fill``, ``font-size``), never ``style``, because the
CSP forbids inline styles. Labels are escaped; numbers are formatted here.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value and colour."""

    label: str
    value: int
    colour: str = "#2f5bea"


class BarChart:
    """A horizontal bar chart sized for one journey's funnel."""

    WIDTH = 700
    LABEL_WIDTH = 230
    VALUE_WIDTH = 60
    ROW = 30
    BAR = 20
    TOP = 8

    def render(self, bars: list[Bar], *, title: str) -> Markup:
        """The ``<svg>`` element (with a ``<title>`` for screen readers)."""
        height = self.TOP * 2 + self.ROW * len(bars)
        span = self.WIDTH - self.LABEL_WIDTH - self.VALUE_WIDTH
        largest = max((bar.value for bar in bars), default=0) or 1
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'width="{self.WIDTH}" height="{height}" viewBox="0 0 {self.WIDTH} {height}">',
            f"<title>{escape(title)}</title>",
        ]
        for index, bar in enumerate(bars):
            y = self.TOP + index * self.ROW
            length = round(span * bar.value / largest)
            parts += [
                f'<text x="{self.LABEL_WIDTH - 8}" y="{y + self.BAR - 5}" text-anchor="end" '
                f'font-size="13" fill="#1f2933">{escape(bar.label)}</text>',
                f'<rect x="{self.LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" '
                f'height="{self.BAR}" rx="3" fill="{escape(bar.colour)}" '
                f'data-label="{escape(bar.label)}" data-value="{bar.value}"/>',
                f'<text x="{self.LABEL_WIDTH + max(length, 1) + 6}" y="{y + self.BAR - 5}" '
                f'font-size="13" fill="#1f2933">{bar.value}</text>',
            ]
        parts.append("</svg>")
        return Markup("".join(parts))
