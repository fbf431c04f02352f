"""Strict mypy over app/, widgets/ and book/ (configured in pyproject.toml's [tool.mypy])."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "widgets", "book")


def test_mypy(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    # The wheel layout (dfx_tui/app -> app/, ...) as symlinks, so mypy sees the real names.
    pkg = tmp_path / "dfx_tui"
    pkg.mkdir()
    for name in PACKAGES:
        (pkg / name).symlink_to(ROOT / name, target_is_directory=True)
    args = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
            "--cache-dir", str(tmp_path / ".mypy_cache")]
    for name in PACKAGES:
        args += ["-p", f"dfx_tui.{name}"]
    env = {**os.environ, "MYPYPATH": str(tmp_path)}
    out = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, f"mypy --strict found problems:\n{out.stdout}{out.stderr}"
