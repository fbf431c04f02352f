"""The end-to-end benchmark still runs and prints every figure (a tiny load, no timings), and
its arithmetic (screen model, medians, goals) is right.

Only keys and types of the run are checked: timed assertions do not belong in the test suite
on a shared machine. The real run is `python tests/benchmarks/bench_app.py`.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH_DIR = Path(__file__).parent / "benchmarks"
BENCH = BENCH_DIR / "bench_app.py"
NUM = (int, float)
NUM_OR_NONE = (int, float, type(None))

LOAD_KEYS: dict[str, tuple[type, ...]] = {
    "msgs_per_s": NUM,
    "app_cpu_per_s": NUM,
    "bare_cpu_per_s": NUM,
    "cpu_ratio": NUM_OR_NONE,
    "repaints_per_s": NUM,
    "staleness_ms_p50": NUM_OR_NONE,
    "staleness_ms_p99": NUM_OR_NONE,
    "staleness_intervals_p50": NUM_OR_NONE,
    "staleness_intervals_p99": NUM_OR_NONE,
    "tab_switch_ms_p50": NUM_OR_NONE,
    "tab_switch_ms_p99": NUM_OR_NONE,
    "ordinary_repaint_ms_p50": NUM_OR_NONE,
    "ordinary_repaint_ms_p99": NUM_OR_NONE,
    "tab_over_repaint_p99": NUM_OR_NONE,
    "clock_repaint_ms_p99": NUM_OR_NONE,
    "terminal_kb_per_s": NUM,
    "terminal_bytes_per_update": NUM_OR_NONE,
    "changed_cells_per_update": NUM_OR_NONE,
    "bytes_per_changed_cell": NUM_OR_NONE,
    "peak_rss_mb": NUM,
    "kept_up": (bool,),
    "screen_model_ok": (bool,),
    "reps": (int,),
}
TOP_KEYS = ("idle_cpu_per_s", "idle_cpu_per_s_bare_textual", "idle_cpu_ratio", "cold_start_s",
            "cold_start_bare_textual_s", "cold_start_ratio", "rss_mb_10_markets")
GOAL_IDS = ("tab_switch_vs_repaint_p99@50", "cpu_vs_bare@50", "cpu_vs_bare@5000",
            "idle_cpu_vs_one_widget", "bytes_per_changed_cell@50", "staleness_p50_intervals@50",
            "staleness_p99_intervals@5000", "cold_start_vs_one_widget")


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, uses a pty")
@pytest.mark.timeout(90)
def test_bench_app_prints_every_figure() -> None:
    proc = subprocess.run([sys.executable, str(BENCH), "--quick"],
                          capture_output=True, text=True, timeout=80)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert isinstance(out["loads"], list) and len(out["loads"]) == 1
    ld = out["loads"][0]
    for key, types in LOAD_KEYS.items():
        assert key in ld, key
        assert isinstance(ld[key], types), (key, ld[key])
    assert ld["msgs_per_s"] == 50
    assert ld["app_cpu_per_s"] >= 0 and ld["peak_rss_mb"] > 0
    assert ld["tab_switches"] >= 1 and ld["ordinary_repaints"] >= 1
    # The screen model replayed real Textual output into the app's picture.
    assert ld["screen_model_ok"] is True
    assert ld["changed_cells_per_update"] > 0
    for key in TOP_KEYS:
        assert isinstance(out[key], NUM), (key, out[key])
    assert isinstance(out["cold_start_modules_compiled"], int)
    assert set(GOAL_IDS) <= set(out["goals"]), sorted(out["goals"])
    assert out["goals"]["cpu_vs_bare@5000"]["pass"] is None  # that load was not run
    for goal in out["goals"].values():
        assert goal["pass"] in (True, False, None) and "measured" in goal and "limit" in goal


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, uses a pty")
@pytest.mark.timeout(60)
def test_bench_floor_prints_its_figures() -> None:
    proc = subprocess.run([sys.executable, str(BENCH_DIR / "bench_floor.py"), "--reps", "1",
                           "--seconds", "0.5", "--lines", "1,3"],
                          capture_output=True, text=True, timeout=55)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["bare_cpu_per_s"] > 0
    for n in (1, 3):  # the floor app painted (its marker) and used some CPU
        assert out[f"floor_cpu_per_s_{n}_lines"] > 0
        assert isinstance(out[f"floor_over_bare_{n}_lines"], NUM)


@pytest.mark.timeout(60)
def test_bench_wakeups_prints_its_figures() -> None:
    proc = subprocess.run([sys.executable, str(BENCH_DIR / "bench_wakeups.py"), "--rounds",
                           "1", "--n", "5", "--sleep-ms", "1"],
                          capture_output=True, text=True, timeout=55)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    for kind in ("sleep", "select", "asyncio_sleep", "condition_hand_over"):
        assert out[f"{kind}_us_per_wakeup"] >= 0
        assert len(out[f"{kind}_us_rounds"]) == 1


def test_cold_start_runs_the_app_from_bytecode() -> None:
    # bench_app byte-compiles the app before its cold starts (as installing it would): a
    # module without cached bytecode gets it, and a second pass finds nothing to compile.
    spec = importlib.util.find_spec("dfx_tui.app.cli")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin)
    cached = Path(importlib.util.cache_from_source(str(source)))
    cached.unlink(missing_ok=True)  # a build artefact (git-ignored), made again below
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import bench_procs; "
            "print(bench_procs.byte_compile_app())")
    runs = [subprocess.run([sys.executable, "-c", code, str(BENCH_DIR)], capture_output=True,
                           text=True, timeout=60, check=True) for _ in range(2)]
    assert int(runs[0].stdout) >= 1 and int(runs[1].stdout) == 0
    assert cached.stat().st_mtime >= source.stat().st_mtime


SYNC_ON, SYNC_OFF = b"\x1b[?2026h", b"\x1b[?2026l"


def test_screen_model_counts_changed_cells_not_rewritten_ones() -> None:
    sm = load("screen_model")
    model = sm.ScreenModel(10, 3)
    first = SYNC_ON + b"\x1b[1;1H\x1b[1;38;2;1;2;3mabc\x1b[0m" + SYNC_OFF
    same = SYNC_ON + b"\x1b[1;1H\x1b[38;2;1;2;3;1mabc\x1b[0m" + SYNC_OFF  # same style, reordered
    restyled = SYNC_ON + b"\x1b[1;2H\x1b[1;38;2;9;9;9mb\x1b[0m\x1b[3;9Hx\xe2\x96\x88" + SYNC_OFF
    model.feed(first + same + b"\x1b[?25l" + restyled)
    a, b, c = model.updates
    assert (a.written, a.changed, a.nbytes) == (3, 3, len(first))
    assert (b.written, b.changed) == (3, 0)
    assert (c.written, c.changed) == (3, 3)
    assert model.lines() == ["abc       ", "          ", "        x█"]
    totals = sm.summarize(model.updates, len(first), len(first + same))
    assert totals == {"updates": 1, "bytes": len(same), "written": 3, "changed": 0}


def test_screen_model_wide_characters_and_erase() -> None:
    sm = load("screen_model")
    model = sm.ScreenModel(6, 2)
    model.feed("\x1b[?7l\x1b[1;1H漢字xyz\x1b[2;1Habc\x1b[2;2H\x1b[K".encode())
    assert model.lines() == ["漢字xz", "a     "]  # no autowrap: z overwrites the last cell


def test_medians_over_repetitions_and_goals() -> None:
    goals = load("bench_goals")
    reps: list[dict[str, Any]] = [
        {"msgs_per_s": 50.0, "cpu_ratio": 4.0, "kept_up": True, "staleness_intervals_p50": 0.4},
        {"msgs_per_s": 50.0, "cpu_ratio": 2.0, "kept_up": False, "staleness_intervals_p50": 0.6},
        {"msgs_per_s": 50.0, "cpu_ratio": 2.5, "kept_up": True, "staleness_intervals_p50": None},
    ]
    agg = goals.aggregate(reps)
    assert agg["cpu_ratio"] == 2.5 and agg["kept_up"] is False and agg["reps"] == 3
    assert agg["staleness_intervals_p50"] == 0.5  # None (no sample) is left out
    assert agg["per_rep"]["cpu_ratio"] == [4.0, 2.0, 2.5]
    result = goals.evaluate({"loads": [agg], "idle_cpu_ratio": 2.5, "cold_start_ratio": None})
    assert result["cpu_vs_bare@50"]["pass"] is True  # 2.5 <= 3
    assert result["staleness_p50_intervals@50"]["pass"] is True  # 0.5 <= 0.5
    assert result["idle_cpu_vs_one_widget"]["pass"] is False
    assert result["cold_start_vs_one_widget"]["pass"] is None
    assert result["cpu_vs_bare@5000"]["measured"] is None
    assert "FAIL  idle_cpu_vs_one_widget" in goals.goals_table(result)
