"""The benchmarks' terminal model (tests/benchmarks/screen_model.py), loaded for tests: what a
terminal shows after the bytes an app writes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_MODULE = "bench_screen_model"


def screen_model() -> ModuleType:
    """The module (loaded once): `ScreenModel(cols, rows)`, `feed(bytes)`, `cells`, `style`."""
    found = sys.modules.get(_MODULE)
    if found is not None:
        return found
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "screen_model.py"
    spec = importlib.util.spec_from_file_location(_MODULE, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
