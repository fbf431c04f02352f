"""bench_app.py's JSON as Markdown: the goals, then the figures per load; before vs after.

    python tests/benchmarks/bench_report.py docs/perf/bench-before.json [after.json]

With two files, each row shows both runs side by side (goals are those of the last file).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

# (label, key) per load, in the order of issue 11's goals.
LOAD_ROWS = (
    ("app CPU (core)", "app_cpu_per_s"),
    ("bare consumer CPU (core)", "bare_cpu_per_s"),
    ("CPU ratio app/bare", "cpu_ratio"),
    ("app CPU: loop thread / paint (core)", ("main_thread_cpu_per_s", "paint_cpu_per_s")),
    ("paint CPU: histories / widget builds (core)",
     ("paint_observe_cpu_per_s", "paint_build_cpu_per_s")),
    ("paint CPU per paint (ms)", "paint_cpu_ms_per_paint"),
    ("staleness p50 / p99 (ms)", ("staleness_ms_p50", "staleness_ms_p99")),
    ("staleness p50 / p99 (clock intervals)",
     ("staleness_intervals_p50", "staleness_intervals_p99")),
    ("clock repaint p50 / p99 (ms)", ("clock_repaint_ms_p50", "clock_repaint_ms_p99")),
    ("ordinary repaint p50 / p99 (ms)", ("ordinary_repaint_ms_p50", "ordinary_repaint_ms_p99")),
    ("tab switch p50 / p99 (ms)", ("tab_switch_ms_p50", "tab_switch_ms_p99")),
    ("tab switch p99 / ordinary repaint p99", "tab_over_repaint_p99"),
    ("screen updates / s", "terminal_updates_per_s"),
    ("bytes per screen update", "terminal_bytes_per_update"),
    ("cells written / changed per update",
     ("cells_written_per_update", "changed_cells_per_update")),
    ("bytes per changed cell", "bytes_per_changed_cell"),
    ("terminal KB/s", "terminal_kb_per_s"),
    ("loop lag p99 / max (ms)", ("loop_lag_ms_p99", "loop_lag_ms_max")),
    ("CPU share over the worst lag", "loop_lag_max_cpu_share"),
    ("GC max / total (ms)", ("gc_ms_max", "gc_ms_total")),
    ("GC collections, generation 0 / 1 / 2", "gc_count_by_generation"),
    ("kept up", "kept_up"),
)
TOP_ROWS = (
    ("idle CPU app / one-widget (core)", ("idle_cpu_per_s", "idle_cpu_per_s_bare_textual")),
    ("idle CPU ratio", "idle_cpu_ratio"),
    ("cold start app / one-widget first paint (s)",
     ("cold_start_s", "cold_start_bare_textual_s")),
    ("cold start ratio", "cold_start_ratio"),
    ("peak RSS, 10 markets (MB)", "rss_mb_10_markets"),
    ("repetitions", "reps"),
    ("load average (1 min) at start / end", ("loadavg_1m_start", "loadavg_1m_end")),
    ("benchmark wall time (s)", "bench_seconds"),
)


def cell(source: dict[str, Any], key: str | tuple[str, ...]) -> str:
    keys = (key,) if isinstance(key, str) else key
    return " / ".join(_fmt(source.get(k)) for k in keys)


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        if abs(v) < 1:
            return f"{v:.4g}"
        # Three figures below 100: a ratio of 1.19 against a limit of 1.2 must not read 1.2.
        return f"{v:.3g}" if abs(v) < 100 else f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def report(runs: list[dict[str, Any]], names: list[str]) -> str:
    out = ["## Goals (issue 11)", "", "| goal | limit | " + " | ".join(names) + " | verdict |",
           "|---|---:|" + "---:|" * len(names) + "---|"]
    for gid, goal in runs[-1]["goals"].items():
        measured = [_fmt(run.get("goals", {}).get(gid, {}).get("measured")) for run in runs]
        verdict = {True: "pass", False: "FAIL", None: "report"}[goal["pass"]]
        limit = "-" if goal["limit"] is None else f"{goal['limit']:g}"
        out.append(f"| {gid}: {goal['goal']} | {limit} | " + " | ".join(measured)
                   + f" | {verdict} |")
    rates = [ld["msgs_per_s"] for ld in runs[-1]["loads"]]
    for rate in rates:
        out += ["", f"## {rate:g} msg/s", "", "| figure | " + " | ".join(names) + " |",
                "|---|" + "---:|" * len(names)]
        loads = [next((ld for ld in run["loads"] if ld["msgs_per_s"] == rate), {})
                 for run in runs]
        for label, key in LOAD_ROWS:
            out.append(f"| {label} | " + " | ".join(cell(ld, key) for ld in loads) + " |")
    out += ["", "## Idle, cold start, memory", "", "| figure | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names)]
    for label, key in TOP_ROWS:
        out.append(f"| {label} | " + " | ".join(cell(run, key) for run in runs) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("files", type=Path, nargs="+")
    args = ap.parse_args(argv)
    runs = [json.loads(f.read_text()) for f in args.files]
    names = ["before", "after"] if len(runs) == 2 else [f.stem for f in args.files]
    print(report(runs, names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
