"""dfx_tui.book stays pure: no UI or network library is imported with it."""

from __future__ import annotations

import subprocess
import sys


def test_book_imports_no_ui_or_network_code():
    code = (
        "import sys\n"
        "import dfx_tui.book.orderbook, dfx_tui.book.tape, dfx_tui.book.codec, "
        "dfx_tui.book.state, dfx_tui.book.numbers, dfx_tui.book.levels\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich', 'websockets', 'asyncio') or m.startswith('dfx_tui.app') "
        "or m.startswith('dfx_tui.widgets'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"dfx_tui.book pulled in: {out.stdout.strip()}"


def test_widgets_do_not_import_app():
    code = (
        "import sys, pkgutil, importlib, dfx_tui.widgets as w\n"
        "for m in pkgutil.iter_modules(w.__path__):\n"
        "    importlib.import_module('dfx_tui.widgets.' + m.name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('dfx_tui.app'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"dfx_tui.widgets imports the app layer: {out.stdout.strip()}"
