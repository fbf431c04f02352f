"""bench_app.py's arithmetic: repetitions to medians, and issue 11's goals to pass or fail.

Pure functions over the JSON figures, so they are tested without running anything.

Every figure of a load is the median over the repetitions of that load; a ratio is the
median of the per-repetition ratios (the two sides of a ratio are measured in the same
repetition, under the same noise, so their quotient is steadier than a quotient of medians).
"""

from __future__ import annotations

import statistics
from typing import Any

# Kept per repetition as well, to show the spread behind a median.
PER_REP_KEYS = ("cpu_ratio", "staleness_ms_p50", "staleness_ms_p99", "tab_switch_ms_p99",
                "ordinary_repaint_ms_p99", "tab_over_repaint_p99", "bytes_per_changed_cell")

# (id, what the issue asks, the load it applies to or None for every load or none,
#  the figure, the limit or None for "report only", where the figure lives)
GOALS: tuple[tuple[str, str, float | None, str, float | None, str], ...] = (
    ("tab_switch_vs_repaint_p99@{load}",
     "tab switch p99 at most 1.5x the p99 of an ordinary repaint at the same load",
     None, "tab_over_repaint_p99", 1.5, "load"),
    ("cpu_vs_bare@50", "app CPU at most 3x the bare consumer at 50 msg/s",
     50, "cpu_ratio", 3.0, "load"),
    ("cpu_vs_bare@5000", "app CPU at most 1.3x the bare consumer at 5,000 msg/s",
     5000, "cpu_ratio", 1.3, "load"),
    ("idle_cpu_vs_one_widget", "idle CPU at most 2x a one-widget Textual app",
     None, "idle_cpu_ratio", 2.0, "top"),
    ("bytes_per_changed_cell@{load}",
     "bytes to the terminal per repaint, reported with the ratio to the cells that changed",
     None, "bytes_per_changed_cell", None, "load"),
    ("staleness_p50_intervals@50", "staleness p50 at most half a clock interval at 50 msg/s",
     50, "staleness_intervals_p50", 0.5, "load"),
    ("staleness_p99_intervals@5000", "staleness p99 at most 1.2 clock intervals at 5,000 msg/s",
     5000, "staleness_intervals_p99", 1.2, "load"),
    ("cold_start_vs_one_widget",
     "cold start to the first drawn book at most 1.5x a one-widget Textual app's first paint",
     None, "cold_start_ratio", 1.5, "top"),
)

# The figures each goal's ratio is made of, shown beside it.
PARTS = {
    "tab_over_repaint_p99": ("tab_switch_ms_p99", "ordinary_repaint_ms_p99"),
    "cpu_ratio": ("app_cpu_per_s", "bare_cpu_per_s"),
    "idle_cpu_ratio": ("idle_cpu_per_s", "idle_cpu_per_s_bare_textual"),
    "bytes_per_changed_cell": ("terminal_bytes_per_update", "changed_cells_per_update"),
    "staleness_intervals_p50": ("staleness_ms_p50", "clock_interval_ms"),
    "staleness_intervals_p99": ("staleness_ms_p99", "clock_interval_ms"),
    "cold_start_ratio": ("cold_start_s", "cold_start_bare_textual_s"),
}


def _median(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, bool) for v in present):
        return all(present)
    if all(isinstance(v, int | float) for v in present):
        m = statistics.median(present)
        if all(isinstance(v, int) for v in present) and m == int(m):
            return int(m)
        return round(m, 4)
    if all(isinstance(v, list) for v in present) and len({len(v) for v in present}) == 1:
        return [_median(list(column)) for column in zip(*present, strict=True)]  # per item
    return present[0]


def aggregate(reps: list[dict[str, Any]]) -> dict[str, Any]:
    """One load's figures over its repetitions: medians (booleans: all true)."""
    keys = list(dict.fromkeys(k for rep in reps for k in rep))
    out: dict[str, Any] = {k: _median([rep.get(k) for rep in reps]) for k in keys}
    out["reps"] = len(reps)
    out["per_rep"] = {k: [rep.get(k) for rep in reps] for k in PER_REP_KEYS
                      if any(k in rep for rep in reps)}
    return out


def evaluate(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each goal of issue 11 with its measured ratio, the figures it is made of, and pass/fail
    (None: report only, or not measured in this run, e.g. a load that was not run)."""
    loads = {float(ld["msgs_per_s"]): ld for ld in out.get("loads", [])}
    goals: dict[str, dict[str, Any]] = {}
    for goal_id, text, at, key, limit, where in GOALS:
        if where == "top":
            targets: list[tuple[str, dict[str, Any]]] = [(goal_id, out)]
        elif at is None:
            targets = [(goal_id.format(load=_fmt(rate)), ld) for rate, ld in loads.items()]
        else:
            targets = [(goal_id, loads.get(float(at), {}))]
        for gid, source in targets:
            measured = source.get(key)
            entry: dict[str, Any] = {"goal": text, "measured": measured, "limit": limit}
            for part in PARTS.get(key, ()):
                entry[part] = source.get(part)
            entry["pass"] = (None if limit is None or measured is None
                             else bool(measured <= limit))
            goals[gid] = entry
    return goals


def _fmt(rate: float) -> str:
    return str(int(rate)) if rate == int(rate) else str(rate)


def goals_table(goals: dict[str, dict[str, Any]]) -> str:
    """The goals as plain text lines (for --goals on stderr)."""
    lines = []
    for gid, g in goals.items():
        verdict = {True: "pass", False: "FAIL", None: "-"}[g["pass"]]
        limit = "" if g["limit"] is None else f" (limit {g['limit']:g})"
        measured = "n/a" if g["measured"] is None else f"{g['measured']:.3g}"
        lines.append(f"{verdict:5} {gid:34} {measured:>8}{limit}")
    return "\n".join(lines)
