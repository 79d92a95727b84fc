"""Small server-rendered SVG charts: no JavaScript, with a title, a description and a table.

The functions return plain data (coordinates already scaled) for the chart templates in
templates/includes/, so the templates only draw.
"""

import datetime
from dataclasses import dataclass, field
from html import escape

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
BAR_HEIGHT = 28
BAR_GAP = 12
LABEL_WIDTH = 170
VALUE_WIDTH = 110
MIN_PLOT_WIDTH = 200
# About how wide a character of a label is at the charts' 16px, wide letters included: the
# label column grows to fit the longest label (Welsh state names run to 35 characters).
LABEL_CHAR_WIDTH = 8.6


@dataclass
class Bar:
    label: str
    value: int
    display: str
    y: int = 0
    width: float = 0.0
    css: str = ""


@dataclass
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    height: int = 0
    plot_x: int = LABEL_WIDTH
    plot_width: int = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    width: int = WIDTH
    note: str = ""  # a line under the chart, e.g. what its labels mean


def bar_chart(title: str, description: str, rows: list[tuple[str, int, str, str]]) -> BarChart:
    """Horizontal bars; ``rows`` are (label, value, value as text, css modifier)."""
    largest = max((value for _label, value, _display, _css in rows), default=0) or 1
    longest = max((len(label) for label, _value, _display, _css in rows), default=0)
    plot_x = max(LABEL_WIDTH, round(longest * LABEL_CHAR_WIDTH) + 16)
    plot_width = max(MIN_PLOT_WIDTH, WIDTH - plot_x - VALUE_WIDTH)
    chart = BarChart(
        title=title,
        description=description,
        bars=[],
        plot_x=plot_x,
        plot_width=plot_width,
        width=plot_x + plot_width + VALUE_WIDTH,
    )
    for index, (label, value, display, css) in enumerate(rows):
        chart.bars.append(
            Bar(
                label=label,
                value=value,
                display=display,
                y=index * (BAR_HEIGHT + BAR_GAP),
                width=round(chart.plot_width * value / largest, 1),
                css=css,
            )
        )
    chart.height = max(len(rows) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return chart


@dataclass
class Series:
    label: str
    css: str
    points: list[tuple[datetime.date, int]]
    svg_points: str = ""
    markers: list[tuple[float, float]] = field(default_factory=list)  # a dot at each change

    @property
    def markers_svg(self) -> SafeString:
        """A dot at each change, joined here: a busy project has hundreds, and a template loop
        over them was a large part of drawing its page."""
        css = escape(self.css)
        return mark_safe(  # noqa: S308 - the class is escaped; the rest are numbers
            "".join(
                f'<circle class="pipeline-chart__marker pipeline-chart__marker--{css}" '
                f'cx="{float(cx)}" cy="{float(cy)}" r="5"></circle>'
                for cx, cy in self.markers
            )
        )


@dataclass
class LineChart:
    title: str
    description: str
    series: list[Series]
    goal: int
    goal_display: str
    goal_y: float = 0.0
    width: int = WIDTH
    height: int = 220
    left: int = 10
    right: int = WIDTH - 10
    top: int = 24
    bottom: int = 190
    start_label: str = ""
    end_label: str = ""
    table: list[dict] = field(default_factory=list)

    @property
    def table_rows_html(self) -> SafeString:
        """The table alternative's rows (a date, then a value per series), built in one pass
        for the same reason as ``Series.markers_svg``."""
        cell = '<td class="govuk-table__cell govuk-table__cell--numeric">'
        return mark_safe(  # noqa: S308 - every date and value is escaped here
            "".join(
                f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
                f"{escape(day)}</th>"
                + "".join(f"{cell}{escape(value)}</td>" for value in row["values"])
                + "</tr>"
                for day, row in zip(
                    short_dates(row["date"] for row in self.table), self.table, strict=True
                )
            )
        )


def short_dates(days) -> list[str]:
    """Each day as the ``date:"j M Y"`` filter writes it in the active language, with the
    month names looked up once rather than once a day."""
    months = [date_format(datetime.date(2000, month, 1), "M") for month in range(1, 13)]
    return [f"{day.day} {months[day.month - 1]} {day.year}" for day in days]


def step_line_chart(
    title: str,
    description: str,
    series: list[Series],
    *,
    goal: int,
    goal_display: str,
    start: datetime.date,
    end: datetime.date,
) -> LineChart:
    """Cumulative series as step lines from ``start`` to ``end`` against a goal line."""
    chart = LineChart(
        title=title, description=description, series=series, goal=goal, goal_display=goal_display
    )
    top_value = max([goal, *(v for s in series for _d, v in s.points)], default=0) or 1
    days = max((end - start).days, 1)
    plot_w, plot_h = chart.right - chart.left, chart.bottom - chart.top

    xs: dict[datetime.date, float] = {}  # each day once: a busy project has thousands of points

    def x(day: datetime.date) -> float:
        found = xs.get(day)
        if found is None:
            found = xs[day] = round(chart.left + plot_w * (day - start).days / days, 1)
        return found

    def y(value: int) -> float:
        return round(chart.bottom - plot_h * value / top_value, 1)

    for s in series:
        coords = [(x(start), y(0))]
        last = 0
        for day, value in s.points:
            coords.append((x(day), y(last)))
            coords.append((x(day), y(value)))
            if value != last:
                s.markers.append((x(day), y(value)))
            last = value
        coords.append((x(end), y(last)))
        s.svg_points = " ".join(f"{cx},{cy}" for cx, cy in coords)
    chart.goal_y = y(goal)
    chart.start_label = date_format(start, "j M Y")
    chart.end_label = date_format(end, "j M Y")
    return chart
