"""The screen's feature keys: the replay desk (issue 14), the trader's ladder (issue 12) and
the charts, alerts and export (issue 13). `MarketsScreen` (app/markets_screen.py) lists these
bindings after its own and inherits the actions; each acts on the one market view.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.screen import Screen

from dfx_tui.app.alerts import watcher_of
from dfx_tui.app.config import AppConfig
from dfx_tui.book.state import ConnectionStatus
from dfx_tui.widgets.market_pane import MarketPane
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.tape_controls import lower_min, raise_min, shift_tiers

if TYPE_CHECKING:
    from dfx_tui.app.feed.replay_control import ReplayControl

# The help screen shows a group of bindings as one row.
REPLAY_SEEK = Binding.Group("replay: back / forward 10 s")
REPLAY_SPEED = Binding.Group("replay: slower / faster")
CURSOR = Binding.Group("ladder cursor up / down (across the spread)")
TAPE_FILTER = Binding.Group("tape size filter up / down")
BIG_TRADES = Binding.Group("tape large-trade tiers up / down")
CHART_RANGE = Binding.Group("wider / narrower chart range")

FEATURE_BINDINGS: list[BindingType] = [
    # The replay desk: shown and working only while a recording plays (check_action).
    Binding("space", "replay_pause", "Play/pause", id="replay-pause",
            tooltip="replay: pause, or play on"),
    Binding("comma", "replay_skip(-1)", "Seek", key_display=",/.", id="replay-back",
            tooltip="replay: back 10 s (the books rebuilt from the snapshots before)",
            group=REPLAY_SEEK),
    Binding("full_stop", "replay_skip(1)", "Forward", key_display=".", show=False,
            id="replay-forward", tooltip="replay: forward 10 s", group=REPLAY_SEEK),
    Binding("less_than_sign", "replay_speed(-1)", "Speed", key_display="</>",
            id="replay-slower", tooltip="replay: slower (down to 0.25x)", group=REPLAY_SPEED),
    Binding("greater_than_sign", "replay_speed(1)", "Faster", key_display=">", show=False,
            id="replay-faster", tooltip="replay: faster (up to 64x, then as fast as it can)",
            group=REPLAY_SPEED),
    # The trader's ladder (issue 12): the actions are at the end of the class.
    Binding("up,k", "cursor(1)", "Cursor up", key_display="↑/k", show=False,
            id="cursor-up", tooltip="ladder cursor up (first: the best ask)",
            group=CURSOR),
    Binding("down,j", "cursor(-1)", "Cursor down", key_display="↓/j", show=False,
            id="cursor-down", tooltip="ladder cursor down (first: the best bid)",
            group=CURSOR),
    Binding("escape,x", "cursor_clear", "Clear cursor", show=False, id="cursor-clear",
            tooltip="clear the ladder cursor (or click its row)"),
    Binding("l", "ladder_mode", "Ladder", id="ladder-mode",
            tooltip="price ladder (all prices) or compact"),
    Binding("c", "recentre", "Recentre", show=False, id="recentre",
            tooltip="recentre the price ladder now"),
    Binding("v", "clear_volume", "Clear volume", show=False, id="clear-volume",
            tooltip="clear the volume at price"),
    Binding("m", "merge_trades", "Merge", show=False, id="merge-trades",
            tooltip="tape: merge prints of one time and side"),
    Binding("f", "min_trade(1)", "Filter up", key_display="f/F", show=False,
            id="min-trade-up", tooltip="tape: hide more small trades",
            group=TAPE_FILTER),
    Binding("F", "min_trade(-1)", "Filter down", show=False, id="min-trade-down",
            tooltip="tape: show more small trades (then all)",
            group=TAPE_FILTER),
    Binding("b", "big_trade(1)", "Big up", key_display="b/B", show=False,
            id="big-trade-up", tooltip="tape: raise the large-trade tiers", group=BIG_TRADES),
    Binding("B", "big_trade(-1)", "Big down", show=False, id="big-trade-down",
            tooltip="tape: lower the large-trade tiers", group=BIG_TRADES),
    Binding("s", "short_prices", "Short prices", show=False, id="short-prices",
            tooltip="ladder prices by their last digits"),
    # Issue 13: charts in the ladder's place, alerts, export (actions at the class's end).
    Binding("h", "toggle_body('heatmap')", "Heatmap", show=False, id="toggle-heatmap",
            tooltip="liquidity heatmap (again: the ladder)"),
    Binding("g", "toggle_body('depth')", "Depth chart", show=False,
            id="toggle-depth-chart",
            tooltip="depth chart (again: the ladder)"),
    # z / Z: not < > , . (the replay desk's keys) nor x / s (the ladder's, issue 12).
    Binding("Z", "chart_range(1)", "Wider", key_display="Z",
            show=False, id="range-wider", group=CHART_RANGE,
            tooltip="wider chart range (depth chart bps, heatmap seconds a column)"),
    Binding("z", "chart_range(-1)", "Narrower", key_display="z",
            show=False, id="range-narrower", group=CHART_RANGE,
            tooltip="narrower chart range (depth chart bps, heatmap seconds a column)"),
    Binding("exclamation_mark", "alerts", "Alerts", key_display="!", show=False,
            id="alerts", tooltip="list, add and remove alerts"),
    Binding("e", "export", "Export", show=False, id="export",
            tooltip="export the book and tape to CSV and JSON"),
    Binding("S", "screenshot_svg", "Screenshot", show=False, id="screenshot",
            tooltip="save an SVG screenshot"),
]


class MarketActions(Screen[None]):
    """The feature actions of `MarketsScreen`, which provides what is declared here."""

    pane: MarketPane
    paused: bool
    _last_tick: tuple[float, ConnectionStatus, str | None] | None

    def tick(self, now: float, status: ConnectionStatus, tag: str | None = None) -> None:
        raise NotImplementedError

    def current_market(self) -> str:
        raise NotImplementedError

    def active_pane(self) -> MarketPane:
        return self.pane

    # ----------------------------------------------------------------- the replay desk
    replay: ReplayControl | None = None  # set by the app while a recording plays

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("replay_"):
            return self.replay is not None  # hidden and inert when live
        return super().check_action(action, parameters)

    def _replay_steered(self) -> None:
        if self._last_tick is not None:
            self.tick(*self._last_tick)  # the new position, speed or pause now, not next tick

    def action_replay_pause(self) -> None:
        if self.replay is not None:
            self.replay.toggle_pause(time.monotonic())
            self._replay_steered()

    def action_replay_speed(self, direction: int) -> None:
        if self.replay is not None:
            if direction > 0:
                self.replay.faster(time.monotonic())
            else:
                self.replay.slower(time.monotonic())
            self._replay_steered()

    def action_replay_skip(self, direction: int) -> None:
        replay = self.replay
        if replay is not None:
            replay.skip(direction * replay.step, time.monotonic())
            self._replay_steered()
    # ----------------------------------------------------------------- the trader's ladder
    # Issue 12. Each acts on the visible market's widgets; its settings live in that market's
    # view state, so they stay with the market. A paused view keeps its picture.
    def _show(self, pane: MarketPane) -> None:
        if not self.paused:
            pane.repaint_now()

    def action_cursor(self, rows: int) -> None:
        if (pane := self.active_pane()) is not None:
            pane.ladder.move_cursor(rows)
            self._show(pane)

    def action_cursor_clear(self) -> None:
        if (pane := self.active_pane()) is not None:
            pane.ladder.clear_cursor()
            self._show(pane)

    def action_ladder_mode(self) -> None:
        if (pane := self.active_pane()) is not None:
            pane.ladder.toggle_price_mode()
            self._show(pane)

    def action_recentre(self) -> None:
        if (pane := self.active_pane()) is not None:
            pane.ladder.recentre()
            self._show(pane)

    def action_clear_volume(self) -> None:
        if (pane := self.active_pane()) is not None:
            pane.market.analytics.clear_volume()
            self._show(pane)

    def action_merge_trades(self) -> None:
        if (pane := self.active_pane()) is not None:
            pane.view.merge_trades = not pane.view.merge_trades
            self._show(pane)

    def action_min_trade(self, step: int) -> None:
        if (pane := self.active_pane()) is not None:
            view, tape = pane.view, pane.market.tape
            view.min_trade = (raise_min(view.min_trade, tape) if step > 0
                              else lower_min(view.min_trade, tape))
            self._show(pane)

    def action_big_trade(self, step: int) -> None:
        if (pane := self.active_pane()) is not None:
            pane.view.big_trade = shift_tiers(pane.tape.tiers(), step > 0,
                                              pane.market.tape) or None
            self._show(pane)

    def action_short_prices(self) -> None:
        if (pane := self.active_pane()) is not None:
            pane.ladder.toggle_short_prices()
            self._show(pane)

    # ----------------------------------------------------------------- issue 13 actions
    def action_toggle_body(self, body: str) -> None:
        pane = self.pane
        if body == "heatmap":
            pane.toggle_body("heatmap", repaint=not self.paused)
        elif body == "depth":
            pane.toggle_body("depth", repaint=not self.paused)

    def action_chart_range(self, direction: int) -> None:
        pane = self.active_pane()
        if pane is not None:
            pane.change_range(direction > 0, repaint=not self.paused)

    def action_alerts(self) -> None:
        watcher = watcher_of(self.app)
        if watcher is not None:
            self.app.push_screen(watcher.screen(self.current_market()))

    def _export_folder(self) -> Path:
        # app/export.py (csv, json, the headless summaries) is imported on the first export,
        # not at start (cold start).
        from dfx_tui.app.export import export_dir

        config = getattr(self.app, "config", None)
        return export_dir(config.export_dir if isinstance(config, AppConfig) else None)

    def action_export(self) -> None:
        from dfx_tui.app.export import export_market

        pane = self.pane
        try:
            paths = export_market(pane.market, self._export_folder(), time.time())
        except OSError as exc:
            self.notify(sanitize(f"export failed: {exc}", 200), severity="error",
                        markup=False)
            return
        names = ", ".join(p.name for p in paths[1:])
        self.notify(sanitize(f"{paths[0]}\n(and {names})", 300), title="Exported",
                    markup=False)

    def action_screenshot_svg(self) -> None:
        from dfx_tui.app.export import screenshot_path

        try:
            path = screenshot_path(self._export_folder(), self.current_market(), time.time())
            self.app.save_screenshot(filename=path.name, path=str(path.parent))
        except OSError as exc:
            self.notify(sanitize(f"screenshot failed: {exc}", 200), severity="error",
                        markup=False)
            return
        self.notify(sanitize(str(path), 300), title="Screenshot saved", markup=False)
