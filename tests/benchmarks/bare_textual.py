"""The Textual floor for bench_app: a one-widget Textual app, run in the same kind of terminal.

bench_app.py compares the app's idle CPU (feed connected, nothing moving) with this app's,
and the app's cold start (spawn to the first drawn book) with this app's first paint (spawn
to ``MARKER`` on the terminal's output). Whatever Textual itself costs is in both figures.

    python tests/benchmarks/bare_textual.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

MARKER = "one-widget first paint"


class OneWidget(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(MARKER)


if __name__ == "__main__":
    OneWidget().run()
