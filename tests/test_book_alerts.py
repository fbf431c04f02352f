"""Alerts: once per crossing, re-armed past the hysteresis band, indexed == naive scan."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.alert_index import Crossing, CrossingIndex
from dfx_tui.book.alerts import AlertBook, AlertKind, AlertSpec
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.tape import Trade

# ----------------------------------------------------------------- the reference rule


def beyond(value: float, level: float, up: bool, strict: bool) -> bool:
    if up:
        return value > level if strict else value >= level
    return value < level if strict else value <= level


class NaiveAlert:
    """One alert checked by plain comparison on every move: the rule, slowly."""

    def __init__(self, alert_id: int, level: float, up: bool, band: float, strict: bool):
        self.id, self.level, self.up, self.band, self.strict = alert_id, level, up, band, strict
        self.armed = True

    def step(self, old: float | None, new: float) -> bool:
        if old is None:
            return False
        if self.armed:
            if (not beyond(old, self.level, self.up, self.strict)
                    and beyond(new, self.level, self.up, self.strict)):
                self.armed = False
                return True
            return False
        rearm = self.level - self.band if self.up else self.level + self.band
        if beyond(new, rearm, not self.up, not self.strict):  # back past the band
            self.armed = True
        return False


VALUES = st.integers(0, 40).map(lambda x: x / 2)
ALERT = st.tuples(VALUES, st.booleans(), st.sampled_from([0.0, 0.5, 1.0, 3.0]))
OP = st.one_of(
    st.tuples(st.just("move"), VALUES), st.tuples(st.just("move"), VALUES),
    st.tuples(st.just("move"), VALUES), st.tuples(st.just("add"), ALERT),
    st.tuples(st.just("remove"), st.integers(0, 30)),
)


@settings(max_examples=500, deadline=None)
@given(st.booleans(), st.lists(ALERT, max_size=12), st.lists(OP, max_size=60))
def test_crossing_index_equals_a_naive_scan(strict, alerts, ops):
    index = CrossingIndex(strict)
    naive: dict[int, NaiveAlert] = {}
    entries: dict[int, Crossing] = {}
    ids = itertools.count()
    value: float | None = None
    for op in [("add", a) for a in alerts] + ops:
        if op[0] == "add":
            level, up, band = op[1]
            i = next(ids)
            entries[i] = Crossing(i, level, up, band)
            index.add(entries[i])
            naive[i] = NaiveAlert(i, level, up, band, strict)
        elif op[0] == "remove":
            if naive:
                i = sorted(naive)[op[1] % len(naive)]
                index.remove(entries.pop(i))
                del naive[i]
        else:
            new = op[1]
            fired = index.move(new)
            want = {a.id for a in naive.values() if a.step(value, new)}
            assert {a.id for a in fired} == want
            levels = [a.level for a in fired]  # in the order the value passed them
            assert levels == sorted(levels, reverse=value is not None and new < value)
            value = new
            assert {i: e.armed for i, e in entries.items()} == {i: a.armed
                                                                for i, a in naive.items()}
            assert len(index) == len(naive)


# ----------------------------------------------------------------- through the AlertBook


def book_with(bid: float, ask: float, bid_size: str = "1", ask_size: str = "1") -> OrderBook:
    book = OrderBook("BTC_USDT")
    book.apply_snapshot([[repr(ask), ask_size]], [[repr(bid), bid_size]])
    return book


def trade(price: float, amount: float, tid: int = 1, side: str = "buy") -> Trade:
    return Trade.from_wire({"id": tid, "time": 1.0, "price": repr(price),
                            "amount": repr(amount), "type": side})


@settings(max_examples=300, deadline=None)
@given(st.integers(95, 105), st.sampled_from([0.0, 0.5, 1.5, 3.5]), st.booleans(),
       st.lists(st.integers(90, 110), min_size=1, max_size=80))
def test_fires_exactly_once_per_crossing_and_rearms_only_past_the_band(level, band, up, walk):
    alerts = AlertBook()
    bps = band / level * 10_000  # a band of `band` price units (integer mids never tie)
    alert_id = alerts.add(AlertSpec.price("BTC_USDT", float(level), up, hysteresis_bps=bps))
    fires = []
    for step, mid in enumerate(walk):
        fired = alerts.on_book("BTC_USDT", book_with(mid - 1.0, mid + 1.0), float(step))
        assert [f.alert_id for f in fired] in ([], [alert_id])
        fires += [step for _f in fired]
    # Scan the walk: a crossing fires iff the price went back past the band since the last
    # fire (or ever, the first time); nothing else fires.
    sign = 1 if up else -1
    eligible, want, prev = True, [], None
    for step, mid in enumerate(walk):
        if prev is not None and sign * prev < sign * level <= sign * mid and eligible:
            want.append(step)
            eligible = False
        elif sign * mid < sign * level - band:  # half-unit bands: never a tie
            eligible = True
        prev = mid
    assert fires == want


MARKETS = ["BTC_USDT", "ETH_USDT"]
SPEC = st.one_of(
    st.builds(lambda m, lv, up, h: AlertSpec.price(m, float(lv), up, hysteresis_bps=h),
              st.sampled_from(MARKETS), st.integers(95, 105), st.booleans(),
              st.sampled_from([0.0, 50.0, 200.0])),
    st.builds(lambda m, lv, up, h: AlertSpec.price(m, float(lv), up, last=True,
                                                   hysteresis_bps=h),
              st.sampled_from(MARKETS), st.integers(95, 105), st.booleans(),
              st.sampled_from([0.0, 100.0])),
    st.builds(lambda m, x, h: AlertSpec.spread(m, float(x), hysteresis_bps=h),
              st.sampled_from(MARKETS), st.integers(0, 800), st.sampled_from([0.0, 100.0])),
    st.builds(lambda m, r, h: AlertSpec.imbalance(m, r, within_bps=300.0, hysteresis=h),
              st.sampled_from(MARKETS), st.sampled_from([-0.6, -0.2, 0.2, 0.5]),
              st.sampled_from([0.0, 0.1])),
    st.builds(lambda m, s, c: AlertSpec.trade(m, float(s), cooldown=c),
              st.sampled_from(MARKETS), st.integers(1, 5), st.sampled_from([0.0, 2.0])),
)
EVENT = st.one_of(
    st.tuples(st.just("book"), st.sampled_from(MARKETS), st.integers(95, 105),
              st.integers(1, 8), st.integers(1, 9), st.integers(1, 9)),
    st.tuples(st.just("trade"), st.sampled_from(MARKETS), st.integers(95, 105),
              st.integers(1, 6), st.just(0), st.just(0)),
)


def observed(spec: AlertSpec, bid: float, ask: float, bid_size: float,
             ask_size: float) -> float:
    mid = (bid + ask) / 2
    if spec.kind is AlertKind.SPREAD:
        return (ask - bid) / mid * 10_000
    if spec.kind is AlertKind.IMBALANCE:  # both levels lie within 300 bps of these mids
        return (bid_size - ask_size) / (bid_size + ask_size)
    return mid


@settings(max_examples=300, deadline=None)
@given(st.lists(SPEC, min_size=1, max_size=10), st.lists(EVENT, max_size=50))
def test_alert_book_equals_a_naive_scan_of_every_alert(specs, events):
    alerts = AlertBook()
    ids = [alerts.add(spec) for spec in specs]
    naive = {i: NaiveAlert(i, s.threshold, s.up, s.band(), s.kind in (AlertKind.SPREAD,
                                                                      AlertKind.IMBALANCE))
             for i, s in zip(ids, specs, strict=True) if s.kind is not AlertKind.TRADE}
    last_value: dict[tuple[int, str], float] = {}
    cooling_until = dict.fromkeys(ids, -1.0)
    by_id = dict(zip(ids, specs, strict=True))
    for now, (what, market, price, a, b, c) in enumerate(events):
        want: set[int] = set()
        if what == "book":
            bid, ask = price - a / 4, price + a / 4
            got = alerts.on_book(market, book_with(bid, ask, str(b), str(c)), float(now))
            kinds = (AlertKind.MID, AlertKind.SPREAD, AlertKind.IMBALANCE)
        else:
            got = alerts.on_trade(market, trade(float(price), float(a)), float(now))
            kinds = (AlertKind.LAST, AlertKind.TRADE)
        for i, spec in by_id.items():
            if spec.market != market or spec.kind not in kinds:
                continue
            if spec.kind is AlertKind.TRADE:
                if a >= spec.threshold and now >= cooling_until[i]:
                    want.add(i)
                    cooling_until[i] = now + spec.hysteresis if spec.hysteresis else -1.0
                continue
            value = (float(price) if spec.kind is AlertKind.LAST
                     else observed(spec, bid, ask, b, c))
            if naive[i].step(last_value.get((i, market)), value):
                want.add(i)
            last_value[(i, market)] = value
        assert sorted(f.alert_id for f in got) == sorted(want)
        assert all(f.spec.market == market for f in got)
    assert {info.id: info.armed for info in alerts.list() if info.id in naive} == {
        i: a.armed for i, a in naive.items()}


# ----------------------------------------------------------------- examples


def test_spread_alert_fires_once_while_wide_and_rearms_after_narrowing_past_the_band():
    alerts = AlertBook()
    alert_id = alerts.add(AlertSpec.spread("ETH_USDT", 10.0, hysteresis_bps=2.0))
    spreads = [5.0, 12.0, 15.0, 9.0, 11.0, 7.0, 10.0, 10.5]  # bps, around a mid of 100
    fired_at = []
    for t, s in enumerate(spreads):
        half = s / 10_000 * 100 / 2
        if alerts.on_book("ETH_USDT", book_with(100 - half, 100 + half), float(t)):
            fired_at.append(t)
    assert fired_at == [1, 7]  # 9 is not past 10 - 2; 7 is, so 10.5 fires again
    assert [i.id for i in alerts.list()] == [alert_id]


def test_imbalance_counts_only_size_within_the_band_and_fires_for_each_side():
    alerts = AlertBook()
    bids_heavy = alerts.add(AlertSpec.imbalance("BTC_USDT", 0.5, within_bps=10.0))
    asks_heavy = alerts.add(AlertSpec.imbalance("BTC_USDT", -0.5, within_bps=10.0))
    book = OrderBook("BTC_USDT")
    book.apply_snapshot([["100.05", "1"], ["101", "50"]], [["99.95", "1"], ["99", "50"]])
    assert alerts.on_book("BTC_USDT", book, 0.0) == []  # 1 vs 1 within 10 bps: 0
    book.apply_update(None, [["99.95", "5"]])  # (5 - 1) / 6 = 0.67
    fired = alerts.on_book("BTC_USDT", book, 1.0)
    assert [f.alert_id for f in fired] == [bids_heavy] and round(fired[0].value, 2) == 0.67
    assert alerts.on_book("BTC_USDT", book, 2.0) == []  # same version: not looked at again
    book.apply_update([["100.05", "20"]], None)  # (5 - 20) / 25 = -0.6
    assert [f.alert_id for f in alerts.on_book("BTC_USDT", book, 3.0)] == [asks_heavy]


def test_trade_alert_cools_down_and_hidden_markets_are_independent():
    alerts = AlertBook()
    big = alerts.add(AlertSpec.trade("BTC_USDT", 2.0, cooldown=10.0))
    eth = alerts.add(AlertSpec.trade("ETH_USDT", 1.0))
    assert [f.alert_id for f in alerts.on_trade("BTC_USDT", trade(100.0, 1.5), 0.0)] == []
    assert [f.alert_id for f in alerts.on_trade("BTC_USDT", trade(100.0, 2.0), 1.0)] == [big]
    assert alerts.on_trade("BTC_USDT", trade(100.0, 9.0), 5.0) == []  # cooling down
    assert [f.alert_id for f in alerts.on_trade("BTC_USDT", trade(100.0, 3.0), 11.0)] == [big]
    assert [f.alert_id for f in alerts.on_trade("ETH_USDT", trade(5.0, 1.0), 11.0)] == [eth]
    assert [f.alert_id for f in alerts.on_trade("ETH_USDT", trade(5.0, 1.0), 11.5)] == [eth]
    assert alerts.remove(big) and not alerts.remove(big)
    assert alerts.on_trade("BTC_USDT", trade(100.0, 50.0), 30.0) == []
    assert [i.id for i in alerts.list()] == [eth]


def test_last_price_alert_follows_trades_and_text_is_inert():
    alerts = AlertBook()
    alert_id = alerts.add(AlertSpec.price("X\x1b[31m_USDT", 100.0, True, last=True))
    alerts.on_trade("X\x1b[31m_USDT", trade(99.0, 1.0), 0.0)
    fired = alerts.on_trade("X\x1b[31m_USDT", trade(100.5, 1.0), 1.0)
    assert [f.alert_id for f in fired] == [alert_id]
    assert "\x1b" not in fired[0].text() and "up through 100.0" in fired[0].text()
    assert alerts.list()[0].armed is False


def test_a_book_without_snapshot_moves_nothing():
    alerts = AlertBook()
    alerts.add(AlertSpec.price("BTC_USDT", 100.0, True))
    alerts.on_book("BTC_USDT", book_with(98.0, 99.0), 0.0)
    empty = OrderBook("BTC_USDT")
    assert alerts.on_book("BTC_USDT", empty, 1.0) == []
    # Back with a book past the level: it crossed while we could not see, and it says so.
    assert len(alerts.on_book("BTC_USDT", book_with(101.0, 102.0), 2.0)) == 1
