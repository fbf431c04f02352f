"""Export the active market's book and tape (CSV and JSON), and SVG screenshots, to a folder.

The JSON is `dfx-tui --once --json`'s document for that one market (the same function,
`headless.market_summary`, with every level and every trade on the tape), plus when it was
exported: one shape for both, exact decimal strings as the exchange sent them. The CSVs hold
the same values: `<name>-book.csv` (side, price, amount; bids then asks, best first) and
`<name>-trades.csv` (id, time, price, amount, type; newest first, as the tape shows them).

File names carry the market and the local time, e.g. `BTC_USDT-20260101-120000-book.csv`; a
second export in the same second gets `-2`, `-3`, ... rather than overwrite the first.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dfx_tui.app.feed.headless import market_summary
from dfx_tui.book.state import Market

DEFAULT_DIR = "."  # the working directory, when the config file names no export_dir


def export_dir(configured: str | None) -> Path:
    return Path(configured or DEFAULT_DIR).expanduser()


def market_document(market: Market, exported_at: float) -> dict[str, Any]:
    """`--once --json`'s document for one market (all levels, all trades) and the time."""
    book = market.book
    everything = max(book.bid_count, book.ask_count, len(market.tape), 1)
    return {"markets": {market.name: market_summary(market, everything)},
            "exported_at": exported_at}


def stem(folder: Path, market: str, when: datetime, suffixes: tuple[str, ...]) -> Path:
    """`folder/MARKET-YYYYmmdd-HHMMSS`, made unique over the files `suffixes` would add."""
    base = f"{market}-{when:%Y%m%d-%H%M%S}"
    candidate, n = folder / base, 1
    while any(candidate.with_name(candidate.name + s).exists() for s in suffixes):
        n += 1
        candidate = folder / f"{base}-{n}"
    return candidate


EXPORT_SUFFIXES = (".json", "-book.csv", "-trades.csv")


def export_market(market: Market, folder: Path, now: float) -> list[Path]:
    """Write the market's JSON and two CSVs into `folder` (made if missing); their paths.

    `now`: Unix seconds, for the names and `exported_at`. OSError if the folder is not
    writable.
    """
    folder.mkdir(parents=True, exist_ok=True)
    doc = market_document(market, now)
    summary = doc["markets"][market.name]
    base = stem(folder, market.name, datetime.fromtimestamp(now), EXPORT_SUFFIXES)
    paths = [base.with_name(base.name + s) for s in EXPORT_SUFFIXES]
    json_path, book_path, trades_path = paths
    json_path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    with book_path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["side", "price", "amount"])
        for side in ("bids", "asks"):
            out.writerows([side[:-1], price, amount] for price, amount in summary[side])
    with trades_path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "time", "price", "amount", "type"])
        out.writerows([t["id"], repr(t["time"]), t["price"], t["amount"], t["type"]]
                      for t in summary["trades"])
    return paths


def screenshot_path(folder: Path, market: str | None, now: float) -> Path:
    """Where a screenshot taken now goes (folder made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = stem(folder, f"dfx-tui-{market}" if market else "dfx-tui",
                datetime.fromtimestamp(now), (".svg",))
    return base.with_name(base.name + ".svg")
