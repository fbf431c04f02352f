"""`dfx-tui --serve` (issue 14): the app in a real headless browser, and its command line.

The browser test starts `dfx-tui --demo --serve 127.0.0.1:PORT BTC_USDT ETH_USDT` as a real
process and opens the page in Debian's chromium driven by Playwright (both installed by
.ci/run; the test is skipped where either is missing). The page's terminal is xterm.js drawing
on a canvas, so its text is in no DOM node. The test reads the screen from the very bytes the
page's terminal is sent over its WebSocket (Playwright reports each frame), replayed into a VT
emulator (pyte), and checks from a screenshot that the page did draw them: the ladder's ask and
bid bars cover part of the picture. A key typed into the page then switches the tab.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyte
import pytest

from dfx_tui.app.cli import main
from dfx_tui.app.serve import parse_address, served_argv, served_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Debian's chromium as root on a machine with no network but loopback: no sandbox, no GPU,
# and none of the background connections it would otherwise try (and fail) at start.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
PRICE = re.compile(r"\b\d{3,6}\.\d{2}\b")


def _dfx_tui(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("dfx-tui")
    if exe.exists():
        return [str(exe), *args]
    return [sys.executable, "-m", "dfx_tui.app.cli", *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_group(proc: subprocess.Popen[Any]) -> None:
    """End the server and every app it started (they share its process group), at once."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


class Served:
    """A `dfx-tui ... --serve 127.0.0.1:PORT` process in a process group of its own."""

    def __init__(self, args: list[str], tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = tmp / "serve.log"
        config = tmp / "config.toml"  # defaults only: a developer's own settings stay out
        config.write_text("")
        env = {**os.environ, "DFX_TUI_CONFIG": str(config)}
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                _dfx_tui(*args[:1], "--serve", f"127.0.0.1:{self.port}", *args[1:]),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def wait_listening(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited ({self.proc.returncode}):\n"
                                     f"{self.output()}")
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.05)
        raise AssertionError(f"not listening after {timeout}s:\n{self.output()}")


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[Served]:
    server = Served(["--demo", "BTC_USDT", "ETH_USDT"], tmp_path)
    try:
        server.wait_listening()
        yield server
    finally:
        _stop_group(server.proc)


# ------------------------------------------------------------------------- the browser
class PageTerminal:
    """The screen of the page's terminal, rebuilt from the WebSocket frames the page gets."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(80, 24)
        self._stream = pyte.ByteStream(self.screen)
        self.bytes_received = 0

    def attach(self, ws: Any) -> None:
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):  # terminal output; text frames are JSON (pong, ...)
            self.bytes_received += len(payload)
            self._stream.feed(payload)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(size["height"], size["width"])

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def market_header(self) -> str:
        """The line under the tab strip that names the market shown."""
        for line in self.screen.display:
            if line.lstrip().startswith(("BTC_USDT ", "ETH_USDT ")) and "spr" in line:
                return line.strip()
        return ""


def _wait(page: Any, what: str, ready: Any, terminal: PageTerminal, timeout: float) -> float:
    """Let the page run until `ready()`; the seconds it took. Playwright delivers frame events
    while the page waits."""
    start = time.monotonic()
    while not ready():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} not in the page after {timeout}s "
                                 f"({terminal.bytes_received} bytes):\n{terminal.text()}")
        page.wait_for_timeout(50)
    return time.monotonic() - start


# Counts the screenshot's pixels of the ladder's ask (red) and bid (green) bars, decoded by
# the browser itself: whatever renderer xterm.js picked (canvas or WebGL), this is what shows.
COUNT_COLOURS = """async (png) => {
  const img = new Image();
  img.src = "data:image/png;base64," + png;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, img.width, img.height).data;
  let red = 0, green = 0;
  for (let i = 0; i < d.length; i += 4) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    if (r >= 96 && r >= 2 * g && r >= 2 * b) red++;
    if (g >= 80 && g >= 2 * r && g >= b + 16) green++;
  }
  return {red: red, green: green, total: d.length / 4};
}"""


@pytest.mark.timeout(120)
def test_demo_in_a_headless_browser(served_demo: Served, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                   "(it is in the 'test' extra)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    terminal = PageTerminal()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 700})
            # The page asks for a web font from the internet: only loopback is answered.
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("http://127.0.0.1:") else route.abort())
            page.on("websocket", terminal.attach)
            start = time.monotonic()
            page.goto(served_demo.url, wait_until="domcontentloaded", timeout=30_000)

            # The app starts in the page: the page marks its terminal as receiving...
            page.wait_for_selector("body.-first-byte", timeout=30_000)
            # ...and the first market's ladder is drawn: both sides, the spread, prices.
            _wait(page, "the ladder", lambda: "spread" in terminal.text() and
                  "depth" in terminal.text(), terminal, 30.0)
            first_ladder_s = time.monotonic() - start
            screen = terminal.text()
            assert "BTC_USDT" in screen and "ETH_USDT" in screen, screen  # the tab strip
            assert terminal.market_header().startswith("BTC_USDT"), screen
            assert "Price" in screen and len(PRICE.findall(screen)) >= 20, screen
            assert "DEMO" in screen, screen

            shot = page.screenshot(path=str(tmp_path / "browser.png"))
            colours = page.evaluate(COUNT_COLOURS, base64.b64encode(shot).decode())
            assert colours["red"] > 0.02 * colours["total"], colours   # ask bars
            assert colours["green"] > 0.02 * colours["total"], colours  # bid bars

            # A key typed into the page reaches the app: `2` shows the second market.
            page.focus(".xterm-helper-textarea")  # where xterm.js takes keys (no mouse click)
            page.keyboard.press("2")
            switch_s = _wait(page, "the ETH_USDT tab",
                             lambda: terminal.market_header().startswith("ETH_USDT"),
                             terminal, 15.0)
            print(f"page load to first ladder {first_ladder_s:.2f}s, tab switch {switch_s:.2f}s")

            # Ctrl+C on the server with the page still open: it ends the browser session and
            # its app (same process group) at once, not after aiohttp's 60 s shutdown timeout.
            served_demo.proc.send_signal(signal.SIGINT)
            assert served_demo.proc.wait(20) == 0, served_demo.output()
            deadline = time.monotonic() + 10
            while _group_alive(served_demo.proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _group_alive(served_demo.proc.pid), "an app outlived the server"
        finally:
            browser.close()


# ------------------------------------------------------------------- the HTTP side
def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host="Host" in headers)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read(100_000).decode(errors="replace")
    finally:
        conn.close()


@pytest.fixture
def served_page(tmp_path: Path) -> Iterator[Served]:
    """A server whose page is only fetched, never run (the demo, should an app start)."""
    server = Served(["--demo", "BTC_USDT"], tmp_path)
    try:
        server.wait_listening()
        yield server
    finally:
        _stop_group(server.proc)


def test_page_urls_follow_the_host_and_foreign_pages_are_refused(served_page: Served) -> None:
    port = served_page.port
    status, page = _get(port, "/", {})
    assert status == 200 and f'"ws://127.0.0.1:{port}/ws"' in page
    # The page tells the browser to connect back to the address it used (0.0.0.0 or a name
    # would otherwise be written into the page).
    status, page = _get(port, "/", {"Host": f"localhost:{port}"})
    assert status == 200 and f'"ws://localhost:{port}/ws"' in page
    # A DNS-rebinding page reaches a loopback server under a foreign name: refused.
    status, _ = _get(port, "/", {"Host": f"evil.example:{port}"})
    assert status == 403
    # Another site's page opening the app's WebSocket: refused before any app starts.
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
    status, _ = _get(port, "/ws", {**upgrade, "Origin": "http://evil.example"})
    assert status == 403
    assert served_page.proc.poll() is None


# --------------------------------------------------------------------- the command line
def test_beyond_loopback_warns(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(_dfx_tui("--demo", "--serve", f"0.0.0.0:{port}"),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stderr is not None
        # The warning comes first, before it listens.
        ready, _, _ = select.select([proc.stderr], [], [], 30)
        line = proc.stderr.readline() if ready else ""
    finally:
        _stop_group(proc)
    assert "warning" in line and f"0.0.0.0:{port}" in line and "beyond loopback" in line, line


def test_missing_web_extra_is_a_usage_error() -> None:
    block = ("import sys; sys.modules['textual_serve'] = None; "
             "from dfx_tui.app.cli import main; sys.exit(main(sys.argv[1:]))")
    out = subprocess.run([sys.executable, "-c", block, "--demo", "--serve",
                          f"127.0.0.1:{_free_port()}"], capture_output=True, text=True,
                         timeout=30, stdin=subprocess.DEVNULL)
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and "install dfx-tui[web]" in out.stderr, out.stderr


@pytest.mark.parametrize("argv", [
    ["--serve", "127.0.0.1:0"],
    ["--serve", "localhost:65536"],
    ["--serve", "::1:8000"],              # IPv6 needs brackets
    ["--serve", "bad host:8000"],
    ["--serve", "BTC_USDT"],              # a market taken for the address
    ["--once", "--serve", "127.0.0.1:8000"],
])
def test_bad_serve_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("dfx-tui: ") and err.count("\n") == 1, err


def test_port_taken_exits_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(_dfx_tui("--serve", f"127.0.0.1:{port}"), capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1, proc.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in proc.stderr, proc.stderr


@pytest.mark.parametrize(("text", "address"), [
    ("", ("127.0.0.1", 8000)),
    ("9000", ("127.0.0.1", 9000)),
    (":9001", ("127.0.0.1", 9001)),
    ("0.0.0.0:80", ("0.0.0.0", 80)),
    ("[::1]:8080", ("::1", 8080)),
    ("localhost", ("localhost", 8000)),
])
def test_parse_address(text: str, address: tuple[str, int]) -> None:
    assert parse_address(text) == address


@pytest.mark.parametrize(("argv", "served"), [
    (["--demo", "--serve"], ["--demo"]),
    (["--demo", "--serve", "127.0.0.1:1", "BTC_USDT"], ["--demo", "BTC_USDT"]),
    (["--serve", "--demo", "BTC_USDT"], ["--demo", "BTC_USDT"]),
    (["--serv=:1", "--fps", "5"], ["--fps", "5"]),          # abbreviated, joined value
    (["BTC_USDT", "--", "--serve"], ["BTC_USDT", "--", "--serve"]),
])
def test_served_command_drops_only_serve(argv: list[str], served: list[str]) -> None:
    assert served_argv(argv) == served


def test_served_command_is_quoted_for_the_shell() -> None:
    odd = "my 'settings'; rm -rf ~.toml"
    command = served_command(["--config", odd, "--serve", "127.0.0.1:8000", "--demo"])
    assert shlex.split(command) == [sys.executable, "-m", "dfx_tui.app.cli", "--config", odd,
                                    "--demo"]
