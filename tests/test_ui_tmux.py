"""The real `dfx-tui --demo` in a tmux terminal: type keys, read the screen."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("dfx-tui")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from dfx_tui.app.cli import main; sys.exit(main())"]


class Tmux:
    def __init__(self, session: str) -> None:
        self.session = session

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True,
                              timeout=10).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{screen}")

    def alive(self) -> bool:
        return subprocess.run(["tmux", "has-session", "-t", self.session],
                              capture_output=True, timeout=10).returncode == 0


@contextlib.contextmanager
def demo_in_tmux(rc_file: Path, width: int, height: int, *markets: str) -> Iterator[Tmux]:
    """`dfx-tui --demo MARKETS` in a new tmux session of `width` x `height`; its exit code
    goes to `rc_file`. The session is killed at the end."""
    session = f"dfx-ui-{uuid.uuid4().hex[:8]}"
    cmd = " ".join([*_command(), "--demo", *markets]) + f"; echo $? > {rc_file}; sleep 30"
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y",
                    str(height), cmd], check=True, env=env, timeout=10)
    try:
        yield Tmux(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, timeout=10)


def test_demo_in_tmux(tmp_path: Path):
    rc_file = tmp_path / "rc"
    with demo_in_tmux(rc_file, 120, 40, "BTC_USDT", "ETH_USDT") as tmux:
        screen = tmux.wait_for("spread", 20.0)
        assert "BTC_USDT" in screen and "ETH_USDT" in screen and "Price" in screen
        tmux.wait_for("LIVE")
        tmux.keys("2")
        screen = tmux.wait_for("ETH_USDT  ")
        tmux.keys("?")
        tmux.wait_for("dfx-tui keys")
        tmux.keys("Escape")
        deadline = time.monotonic() + 5
        while "dfx-tui keys" in tmux.screen() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "dfx-tui keys" not in tmux.screen()
        tmux.keys("p")
        tmux.wait_for("PAUSED")
        tmux.keys("q")
        tmux.wait_for("Quit dfx-tui?")
        tmux.keys("y")
        deadline = time.monotonic() + 10
        while not rc_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rc_file.read_text().strip() == "0"
        screen = tmux.screen()
        assert "Quit dfx-tui?" not in screen  # the terminal is back to the shell


def test_demo_starts_in_a_terminal_too_small_then_grows(tmp_path: Path):
    """Started at 50x12 (under the minimum): the notice, no crash; grown, the book."""
    rc_file = tmp_path / "rc"
    with demo_in_tmux(rc_file, 50, 12, "BTC_USDT") as tmux:
        screen = tmux.wait_for("too small", 20.0)
        assert "Traceback" not in screen and "Error" not in screen
        tmux.run("resize-window", "-t", tmux.session, "-x", "120", "-y", "40")
        tmux.wait_for("spread", 20.0)
        assert not rc_file.exists()  # still running
