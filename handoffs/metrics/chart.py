"""The weekly medians of both times against the baseline line, laid out on the server for an
SVG the page draws without JavaScript (templates/handoffs/_metrics_chart.html); the table
beside it carries the same figures."""

from .compute import Report

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56
SERIES = (("pick_up", "Time to pick-up", "#b35900"), ("first_action", "Time to first action", "#1f6feb"))
BASELINE_COLOUR = "#6e7781"


def _nice_ceiling(value: float) -> float:
    """The top of the y axis: four grid steps of a round number of minutes."""
    for step in (1, 2, 2.5, 5, 10, 15, 20, 30, 60, 90, 120, 180, 240, 360):
        if value <= step * 4:
            return float(step * 4)
    return float(int(value / 1440 + 1) * 1440)


def weekly_chart(report: Report) -> dict:
    """Coordinates (SVG user units, 640 × 300) for the chart: ``ticks`` (y grid with minute
    labels), ``labels`` (week starts on the x axis), ``baseline`` (its y, or None), ``series``
    (per time: colour, label, ``lines`` as SVG ``points`` strings of consecutive weeks, and
    ``points`` with x, y, week and median minutes) and ``description`` (the figures as text).
    Weeks without a median leave a gap in their line."""
    weeks = report.weeks
    values = [float(v) for w in weeks for v in (w.first_action.median, w.pick_up.median) if v is not None]
    if report.baseline.median is not None:
        values.append(float(report.baseline.median))
    top = _nice_ceiling(max(values) * 1.1 if values else 10)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(weeks))

    def x(index):
        return round(LEFT + step * (index + 0.5), 1)

    def y(minutes):
        return round(TOP + plot_h * (1 - float(minutes) / top), 1)

    label_every = max(1, round(len(weeks) / 8))
    series = []
    for name, label, colour in SERIES:
        lines, points, current = [], [], []
        for index, week in enumerate(weeks):
            measure = getattr(week, name)
            if measure.median is None:
                if len(current) > 1:
                    lines.append(" ".join(current))
                current = []
                continue
            current.append(f"{x(index)},{y(measure.median)}")
            points.append({"x": x(index), "y": y(measure.median), "week": week.start, "minutes": measure.median,
                           "count": measure.count})
        if len(current) > 1:
            lines.append(" ".join(current))
        series.append({"name": name, "label": label, "colour": colour, "lines": lines, "points": points})
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "axis_y": HEIGHT - BOTTOM + 16,
        "middle_y": round(TOP + plot_h / 2), "legend_y": HEIGHT - 14,
        "ticks": [{"y": y(top * i / 4), "label": f"{top * i / 4:g}", "text_y": y(top * i / 4) + 4} for i in range(5)],
        "labels": [{"x": x(i), "week": w.start} for i, w in enumerate(weeks) if i % label_every == 0],
        "baseline": None if report.baseline.median is None else y(report.baseline.median),
        "baseline_colour": BASELINE_COLOUR,
        "series": series,
        "legend": [{"x": LEFT + offset * 190, "label": label, "colour": colour, "dashed": dashed}
                   for offset, (label, colour, dashed) in enumerate(
                       (("Time to first action", SERIES[1][2], False), ("Time to pick-up", SERIES[0][2], False),
                        ("Baseline median", BASELINE_COLOUR, True)))],
        "description": _description(report),
    }


def _description(report: Report) -> str:
    def show(value):
        return "none" if value is None else f"{value} min"

    lines = [f"Baseline median {show(report.baseline.median)}."]
    for week in report.weeks:
        lines.append(f"Week of {week.start:%d %b}: first action {show(week.first_action.median)}, "
                     f"pick-up {show(week.pick_up.median)}, {week.escalations} escalations.")
    return " ".join(lines)
