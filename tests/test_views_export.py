"""Export read back and compared with `dfx-tui --once --json` on the same data: a paused
dfx-sim serves one book and one tape to the running app (which exports them with `e`) and to
`dfx-tui --once --json` in a child process."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from pathlib import Path

from tests.support.fault_harness import app_against

DFX_TUI = [sys.executable, "-c", "import sys; from dfx_tui.app.cli import main; "
           "sys.exit(main())"]


async def once_json(url: str, market: str) -> dict:
    proc = await asyncio.create_subprocess_exec(
        *DFX_TUI, "--once", "--json", "--depth", "1000", "--url", url, market,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


async def test_export_matches_once_json_on_a_paused_sim(sim_factory, tmp_path: Path):
    sim = await sim_factory(markets=("BTC_USDT",), trade_rate=20.0, rate=50.0)
    await asyncio.sleep(0.5)  # some trades on the tape
    sim.pause()
    folder = tmp_path / "exports"
    async with app_against(sim.url, ["BTC_USDT"], export_dir=str(folder)) as run:
        market = run.feed.markets["BTC_USDT"]
        for _ in range(200):
            if market.book.has_snapshot and len(market.tape):
                break
            await asyncio.sleep(0.05)
        assert market.book.has_snapshot and len(market.tape) > 0
        await run.pilot.press("e")
        await run.pilot.pause()
        once = (await once_json(sim.url, "BTC_USDT"))["markets"]["BTC_USDT"]
    assert sim.paused
    exported_json = next(folder.glob("BTC_USDT-*.json"))
    doc = json.loads(exported_json.read_text())
    exported = doc["markets"]["BTC_USDT"]
    # The same document: the same field names, values and exact decimal strings.
    assert exported.keys() == once.keys()
    for key in ("state", "bids", "asks", "best_bid", "best_ask", "spread", "trades"):
        assert exported[key] == once[key], key
    assert len(exported["bids"]) > 10 and len(exported["trades"]) > 0
    assert isinstance(doc["exported_at"], float)

    with next(folder.glob("BTC_USDT-*-book.csv")).open(newline="") as f:
        book = list(csv.DictReader(f))
    assert [[r["price"], r["amount"]] for r in book if r["side"] == "bid"] == once["bids"]
    assert [[r["price"], r["amount"]] for r in book if r["side"] == "ask"] == once["asks"]
    with next(folder.glob("BTC_USDT-*-trades.csv")).open(newline="") as f:
        trades = list(csv.DictReader(f))
    assert [{"id": int(r["id"]), "time": float(r["time"]), "price": r["price"],
             "amount": r["amount"], "type": r["type"]} for r in trades] == once["trades"]
