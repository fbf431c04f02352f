"""The processes bench_app.py runs: the app under its probe, the bare consumer, dfx-sim;
the key windows (a key into the app's terminal to the screen update that draws its effect),
py-spy over a window, and the cold-start, idle and RSS runs against the one-widget app.

dfx-sim runs in the benchmark's own process (so its per-connection counters are at hand);
the app (`app_probe.py`) runs in a child process in a pseudo-terminal, with a command pipe in
and an event pipe out; the bare consumer (`bare_consumer.py`) in another child.
"""

from __future__ import annotations

import asyncio
import compileall
import contextlib
import importlib.util
import json
import math
import os
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from bare_textual import MARKER as ONE_WIDGET_MARKER
from bench_common import (
    Terminal,
    cpu_seconds,
    cpu_seconds_fine,
    mem_mb,
    mono,
    switches,
    term_env,
)

HERE = Path(__file__).resolve().parent
PY = sys.executable
TRADE_RATE = 2.0  # trades per second per market
KEY_EVERY_S = 0.5
KEY_TIMEOUT_S = 5.0  # a key not drawn by then is counted lost
PROFILER_FLAGS = ["--nonblocking"]  # py-spy reads the app without stopping it


class AppProcess:
    """app_probe.py in a terminal (whose output is kept), with a command pipe in and an event
    pipe out."""

    prefix: list[str] = []  # e.g. a profiler: ["py-spy", "record", "-o", "out.svg", "--"]

    def __init__(self, proc: Any, term: Terminal, cmd_w: int) -> None:
        self.proc = proc
        self.term = term
        self.cmd_w = cmd_w
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self._reader_task: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, url: str, markets: tuple[str, ...], fps: float, *,
                    stale_after: float = 0.0) -> AppProcess:
        term = Terminal(keep=True)
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        proc = await asyncio.create_subprocess_exec(
            *cls.prefix, PY, str(HERE / "app_probe.py"), "--url", url,
            "--markets", ",".join(markets), "--fps", str(fps),
            "--stale-after", str(stale_after), "--cmd-fd", str(cmd_r), "--out-fd", str(out_w),
            # Textual draws on stderr; a traceback would land there too.
            stdin=term.slave, stdout=term.slave, stderr=term.slave, pass_fds=(cmd_r, out_w),
            env=term_env(), start_new_session=True)
        os.close(cmd_r)
        os.close(out_w)
        self = cls(proc, term, cmd_w)
        reader = asyncio.StreamReader(limit=1 << 24)
        await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(out_r, "rb"))
        self._reader_task = asyncio.create_task(self._dispatch(reader))
        return self

    async def _dispatch(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            with contextlib.suppress(ValueError):
                obj = json.loads(line)
                self.queues[obj.get("ev", "")].put_nowait(obj)
        self.queues["exit"].put_nowait({"ev": "exit"})

    async def expect(self, ev: str, timeout: float) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(self.queues[ev].get(), timeout)
        except TimeoutError:
            raise RuntimeError(f"app probe: no {ev!r} within {timeout:g} s; "
                               f"terminal: {self.term.last[-2000:]!r}") from None

    def drain(self, ev: str) -> None:
        q = self.queues[ev]
        while not q.empty():
            q.get_nowait()

    def command(self, cmd: str) -> None:
        os.write(self.cmd_w, (cmd + "\n").encode())

    async def ask(self, cmd: str, ev: str, timeout: float = 5.0) -> dict[str, Any]:
        self.drain(ev)
        self.command(cmd)
        return await self.expect(ev, timeout)

    @property
    def pid(self) -> int:
        return int(self.proc.pid)

    async def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.command("quit")
        try:
            await asyncio.wait_for(self.proc.wait(), 5.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
        if self._reader_task is not None:
            self._reader_task.cancel()
        with contextlib.suppress(OSError):
            os.close(self.cmd_w)
        self.term.close()


async def start_bare(url: str, markets: tuple[str, ...]) -> tuple[Any, int]:
    proc = await asyncio.create_subprocess_exec(
        PY, str(HERE / "bare_consumer.py"), url, *markets,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 20.0)
    return proc, json.loads(line)["port"]


async def stop_proc(proc: Any) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def start_sim(markets: tuple[str, ...], total_rate: float) -> Any:
    from dfx_tui.app.sim.server import SimConfig, SimServer

    cfg = SimConfig(markets=markets, seed=1, rate=total_rate / len(markets),
                    trade_rate=TRADE_RATE, snapshot_interval=600.0, idle_timeout=120.0)
    return await SimServer(cfg, host="127.0.0.1", port=0).start()


def find_session(sim: Any, port: int) -> Any:
    for s in sim.sessions:
        addr = getattr(s.ws, "remote_address", None)
        if addr and addr[1] == port:
            return s
    raise RuntimeError(f"no simulator session from port {port}")


class SendClock:
    """Stamps every frame the simulator writes to one session: frame index -> time."""

    def __init__(self, session: Any) -> None:
        self.base = session.stats.frames_sent  # frames before this have no stamp
        self.times: list[float] = []
        write = session._write
        stats = session.stats

        def _write(frame: Any, field: str | None) -> None:
            n = stats.frames_sent
            write(frame, field)
            if stats.frames_sent != n:
                self.times.append(mono())

        session._write = _write

    def sent_at(self, index: int) -> float | None:
        """Time the index-th frame (1-based, as the app counts) was written."""
        i = index - self.base - 1
        return self.times[i] if 0 <= i < len(self.times) else None


# ------------------------------------------------------------------ keys, profiler
async def key_window(app: AppProcess, bare: Any, keys: list[bytes], ev: str,
                     seconds: float) -> dict[str, Any]:
    """A key every KEY_EVERY_S (cycling through `keys`); each sample: key to drawn, in ms."""
    app.drain(ev)
    samples: list[float] = []
    stages: list[tuple[float, float, float]] = []
    lost = 0
    t0 = mono()
    c_app0, c_bare0 = cpu_seconds(app.pid), cpu_seconds(bare.pid)
    next_key, n = t0 + 0.1, 0
    while next_key < t0 + seconds:
        await asyncio.sleep(max(0.0, next_key - mono()))
        app.drain(ev)
        pressed = app.term.key(keys[n % len(keys)])
        n += 1
        while True:
            try:
                got = await app.expect(ev, max(0.01, pressed + KEY_TIMEOUT_S - mono()))
            except RuntimeError:
                lost += 1
                await asyncio.sleep(1.0)  # its late answer must not pass for the next key's
                break
            if got["drawn"] >= pressed:  # else: drawn before this key, an earlier key's
                samples.append((got["drawn"] - pressed) * 1000)
                if "acted" in got:  # where the time went: input, build, draw
                    stages.append(((got["acted"] - pressed) * 1000,
                                   (got["built"] - got["acted"]) * 1000,
                                   (got["drawn"] - got["built"]) * 1000))
                break
        next_key = max(pressed + KEY_EVERY_S, mono() + 0.05)
    await asyncio.sleep(max(0.0, t0 + seconds - mono()))
    wall = mono() - t0
    return {"samples": samples, "lost": lost, "stages": stages,
            "app_cpu": (cpu_seconds(app.pid) - c_app0) / wall,
            "bare_cpu": (cpu_seconds(bare.pid) - c_bare0) / wall}


async def start_profiler(pid: int, seconds: float, out: Path) -> Any:
    """py-spy over the app process for the steady window (samples all threads, 100 Hz, or
    the rate in $PYSPY_RATE: at 50 msg/s 100 Hz gives ~300 samples in 40 s)."""
    exe = shutil.which("py-spy", path=str(Path(PY).parent)) or shutil.which("py-spy")
    if exe is None:
        raise SystemExit("--profile needs py-spy (pip install py-spy)")
    out.parent.mkdir(parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        exe, "record", "--pid", str(pid), "--duration", str(max(1, math.ceil(seconds))),
        "--rate", os.environ.get("PYSPY_RATE", "100"), "--format", "raw", *PROFILER_FLAGS, "-o", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


# ------------------------------------------------------------------ cold start, idle, RSS
def demo_argv() -> list[str]:
    exe = Path(PY).with_name("dfx-tui")
    return [str(exe), "--demo"] if exe.exists() else [
        PY, "-c", "from dfx_tui.app.cli import main; raise SystemExit(main())", "--demo"]


async def first_paint(argv: list[str], marker: bytes, quit_keys: list[bytes],
                      timeout: float = 20.0) -> float | None:
    """Spawn `argv` in a terminal; seconds until `marker` is on its output (None: never)."""
    term = Terminal()
    seen = term.wait_for(marker)
    t0 = mono()
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=term.slave, stdout=term.slave, stderr=term.slave,
        env=term_env(), start_new_session=True)
    try:
        took: float | None = await asyncio.wait_for(seen, timeout) - t0
        await asyncio.sleep(0.3)
        for key in quit_keys:
            term.key(key)
            await asyncio.sleep(0.1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 3.0)
    except TimeoutError:
        took = None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        term.close()
    return took


def byte_compile_app() -> int:
    """Byte-compile dfx_tui's modules whose cached bytecode is missing or stale, as installing
    a package does; returns how many were compiled (0: all were up to date).

    The one-widget app's Textual was byte-compiled when pip installed it. An editable install
    of dfx_tui is not, and with PYTHONDONTWRITEBYTECODE set no run ever writes the cache: then
    every cold start compiled ~100 modules first (~80 ms, measured: about as much as the
    goal's whole margin), which no installed copy does (`pip install .` compiles them too).
    The cache goes where Python looks for it (`__pycache__` beside each module, git-ignored).
    """
    stale = 0
    for package in ("dfx_tui.app", "dfx_tui.widgets", "dfx_tui.book"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for source in Path(folder).rglob("*.py"):
                cached = Path(importlib.util.cache_from_source(str(source)))
                if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
                    stale += 1
            if not compileall.compile_dir(folder, quiet=1):
                raise RuntimeError(f"byte-compiling {folder} failed")
    return stale


async def cold_pair() -> tuple[float | None, float | None]:
    """The app's cold start to its first drawn book, then the one-widget app's first paint."""
    app = await first_paint(demo_argv(), b"spread ", [b"q", b"q"])
    one = await first_paint([PY, str(HERE / "bare_textual.py")], ONE_WIDGET_MARKER.encode(),
                            [b"\x11"])  # ctrl+q
    return app, one


async def idle_window(pid: int, seconds: float) -> dict[str, float]:
    """CPU seconds and wake-ups (context switches, all threads) per second of `pid`."""
    c0, w0, t0 = cpu_seconds_fine(pid), switches(pid), mono()
    await asyncio.sleep(seconds)
    wall = mono() - t0
    return {"cpu": (cpu_seconds_fine(pid) - c0) / wall, "wakeups": (switches(pid) - w0) / wall}


def idle_stale_after(seconds: float, quiet: float) -> float:
    """The app's stale_after for an idle window: longer than the quiet time it spans, so the
    window measures a connected, quiet app rather than a drop and a resync (the default,
    15 s, ends a quiet link)."""
    return max(15.0, seconds + quiet + 15.0)


async def quiet_until(t_pause: float, quiet: float, settle: float) -> None:
    """Wait until `quiet` seconds after the pause, and at least `settle` from now."""
    await asyncio.sleep(max(settle, t_pause + quiet - mono()))


async def idle_app(url_markets: tuple[str, ...], rate: float, fps: float, seconds: float,
                   settle: float, quiet: float) -> dict[str, float]:
    """Idle CPU of the app alone: connected and drawn at `rate`, then the simulator paused,
    every frame handled, `quiet` seconds from the pause (at least `settle`), and a window of
    `seconds` with nothing moving."""
    sim = await start_sim(url_markets, rate)
    app = None
    try:
        app = await AppProcess.start(sim.url, url_markets, fps,
                                     stale_after=idle_stale_after(seconds, quiet))
        ready = await app.expect("ready", 30.0)
        session = find_session(sim, ready["port"])
        await asyncio.sleep(settle)
        sim.pause()
        t_pause = mono()
        while mono() - t_pause < 5.0:
            status = await app.ask("status", "status")
            if status["frames_total"] == session.stats.frames_sent:
                break
            await asyncio.sleep(0.02)
        await quiet_until(t_pause, quiet, settle)
        return await idle_window(app.pid, seconds)
    finally:
        if app is not None:
            await app.stop()
        await sim.stop()


async def idle_one_widget(seconds: float, settle: float) -> dict[str, float]:
    """Idle CPU and wake-ups of the one-widget Textual app, measured like the app's (after
    `settle`)."""
    term = Terminal()
    painted = term.wait_for(ONE_WIDGET_MARKER.encode())
    proc = await asyncio.create_subprocess_exec(
        PY, str(HERE / "bare_textual.py"), stdin=term.slave, stdout=term.slave,
        stderr=term.slave, env=term_env(), start_new_session=True)
    try:
        await asyncio.wait_for(painted, 20.0)
        await asyncio.sleep(settle)
        return await idle_window(proc.pid, seconds)
    finally:
        proc.kill()
        await proc.wait()
        term.close()


async def rss_many(markets: tuple[str, ...], fps: float) -> dict[str, float]:
    """Peak RSS with every market open and each tab drawn at least once."""
    sim = await start_sim(markets, 20.0 * len(markets))
    app = None
    try:
        app = await AppProcess.start(sim.url, markets, fps)
        await app.expect("ready", 30.0)
        for _ in markets:
            app.term.key(b"\t")
            with contextlib.suppress(RuntimeError):
                await app.expect("tab", 3.0)
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        return mem_mb(app.pid)
    finally:
        if app is not None:
            await app.stop()
        await sim.stop()
