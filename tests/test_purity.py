"""The layering rules: dfx_tui.book is pure (no UI, network or asyncio), widgets never import app.

Each check imports every module of a package, found by walking the package's path (so a new
module is checked without being listed here), in a fresh interpreter, and lists what got
imported that must not be. The checker is itself tested on a deliberately leaky package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Top-level packages that must not be loaded, and dfx_tui layers (as module-name prefixes).
BOOK_FORBIDDEN_ROOTS = ("textual", "rich", "websockets", "asyncio")
BOOK_FORBIDDEN_LAYERS = ("dfx_tui.app", "dfx_tui.widgets")

_CHECKER = """
import importlib, json, pkgutil, sys
package, roots, layers = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
pkg = importlib.import_module(package)
found = sorted(m.name for m in pkgutil.walk_packages(pkg.__path__, package + "."))
for name in found:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in roots
             or any(m == p or m.startswith(p + ".") for p in layers if p))
print(json.dumps({"modules": found, "forbidden": bad}))
"""


def imports_of(package: str, roots: tuple[str, ...], layers: tuple[str, ...],
               path: Path | None = None) -> tuple[list[str], list[str]]:
    """(every module found under `package`, every forbidden module loaded by importing them),
    in a fresh interpreter; `path` is put first on its PYTHONPATH."""
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-c", _CHECKER, package, ",".join(roots),
                          ",".join(layers)], capture_output=True, text=True, check=True, env=env)
    result = json.loads(out.stdout)
    return result["modules"], result["forbidden"]


def test_book_imports_no_ui_or_network_code() -> None:
    modules, forbidden = imports_of("dfx_tui.book", BOOK_FORBIDDEN_ROOTS, BOOK_FORBIDDEN_LAYERS)
    # Discovery really found the package (an empty walk would pass vacuously).
    for name in ("orderbook", "codec", "text"):
        assert f"dfx_tui.book.{name}" in modules, modules
    assert forbidden == [], f"dfx_tui.book pulled in: {forbidden}"


def test_widgets_do_not_import_app() -> None:
    modules, forbidden = imports_of("dfx_tui.widgets", (), ("dfx_tui.app",))
    assert "dfx_tui.widgets.safe" in modules, modules
    assert forbidden == [], f"dfx_tui.widgets imports the app layer: {forbidden}"


def test_the_checker_catches_a_leaky_module_anywhere_in_the_package(tmp_path: Path) -> None:
    pkg = tmp_path / "leakybook"
    (pkg / "deep").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "pure.py").write_text("import json, decimal\n")
    (pkg / "deep" / "__init__.py").write_text("")
    # A nested module that pulls in asyncio and (faked, so no real layer is needed) an app module.
    (pkg / "deep" / "leaky.py").write_text(
        "import asyncio, sys, types\n"
        "sys.modules['dfx_tui.app.fake'] = types.ModuleType('dfx_tui.app.fake')\n")
    modules, forbidden = imports_of("leakybook", BOOK_FORBIDDEN_ROOTS, BOOK_FORBIDDEN_LAYERS,
                                    path=tmp_path)
    assert modules == ["leakybook.deep", "leakybook.deep.leaky", "leakybook.pure"]
    assert "asyncio" in forbidden and "dfx_tui.app.fake" in forbidden, forbidden
    # A name that merely starts like a layer is not that layer.
    (pkg / "deep" / "leaky.py").write_text(
        "import sys, types\n"
        "sys.modules['dfx_tui.apple'] = types.ModuleType('dfx_tui.apple')\n")
    assert imports_of("leakybook", BOOK_FORBIDDEN_ROOTS, BOOK_FORBIDDEN_LAYERS,
                      path=tmp_path)[1] == []
