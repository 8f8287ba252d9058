"""The figure of a threshold search: the acceptability curve (``acceptability.png``).

Drawn by :func:`plot_acceptability` in the house style of :mod:`intsim.analysis.figures`.

Part of :mod:`intsim.analysis.threshold` (the method is described there).
"""

from __future__ import annotations

from pathlib import Path

from intsim.analysis.threshold.result import ThresholdResult, format_value


def plot_acceptability(result: ThresholdResult, path: Path) -> tuple[Path, ...]:
    """The acceptability curve with its Wilson band, and the output's mean and 5-95% band.

    Written as PNG (300 dpi) and SVG with human labels (:mod:`intsim.analysis.figures`).
    """
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()
    s, loc = result.search, result.location
    curve = result.curve()
    x = curve["value"].to_numpy(float)
    blue, red, orange = fg.PALETTE["blue"], fg.PALETTE["vermillion"], fg.PALETTE["orange"]
    name, unit = fg.param_name(s.param.path), fg.param_unit(s.param.path)
    out_name, out_unit = fg.output_name_unit(s.output)
    fig, (a1, a2) = plt.subplots(
        2, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    a1.fill_between(
        x,
        curve["wilson_low"],
        curve["wilson_high"],
        color=blue,
        alpha=0.2,
        label="95% Wilson interval",
    )
    a1.plot(x, curve["p"], color=blue, lw=1.6)
    for source, marker, label in (("grid", "o", "Grid value"), ("bisection", "x", "Bisection")):
        sub = curve[curve["source"] == source]
        if len(sub):
            a1.plot(sub["value"], sub["p"], marker, color=blue, ms=5, label=label)
    a1.axhline(s.confidence, color=red, lw=1, ls="--", label=f"Confidence {100 * s.confidence:g}%")
    lo, hi = loc.interval

    def value(v: float) -> str:
        return fg.value_text(v, unit) if unit.startswith("USD") else format_value(s.param, v)

    if loc.threshold is not None:
        a1.axvline(loc.threshold, color=red, lw=1.2)
        a1.axvspan(
            s.low if lo is None else lo,
            s.high if hi is None else hi,
            color=red,
            alpha=0.08,
            label="Threshold, 95% interval",
        )
        head = f"{name}: threshold {value(loc.threshold)}"
    else:
        head = f"{name}: probability never reaches {100 * s.confidence:g}% in the range"
    a1.set_title(head, loc="left", fontsize=10)
    a1.set_ylim(-0.03, 1.03)
    a1.set_ylabel(fg.event_label(s.output, s.target, s.at_most))
    fg.format_axis(a1.yaxis, "share")
    fg.legend_right(a1)
    a2.fill_between(x, curve["p5"], curve["p95"], color=orange, alpha=0.25, label="5–95% of runs")
    a2.plot(x, curve["mean"], color=orange, lw=1.6, label="Mean")
    a2.axhline(
        s.target,
        color=fg.GREY,
        lw=0.8,
        ls="--",
        label=f"Target {fg.value_text(s.target, out_unit)}",
    )
    if loc.threshold is not None:
        a2.axvline(loc.threshold, color=red, lw=1.2)
    a2.set_ylabel(fg.with_unit(out_name, out_unit))
    fg.format_axis(a2.yaxis, out_unit)
    a2.set_xlabel(fg.param_label(s.param.path))
    fg.format_axis(a2.xaxis, "USD" if unit.startswith("USD") else "")
    fg.legend_right(a2)
    fig.suptitle(f"Financial acceptability: {fg.display_name(s.strategy)}, {s.n} runs per value")
    return fg.save(fig, path)
