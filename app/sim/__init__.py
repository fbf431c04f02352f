"""dfx-sim: a local DigiFinex public WebSocket v1 exchange.

market.py (the book/tape model), faults.py (fault flags and bad frames), wire.py (framing),
config.py (SimConfig), session.py (one connection: subscriptions, counters, writes),
watchdog.py (per-connection timers: idle timeout, timed faults), server.py (SimServer:
handshake, requests, market clock), ticker_data.py (24 h figures consistent with the model,
and the odd ticker shapes), ticker_feed.py (the ticker.* and all_ticker.* channels), cli.py
(the dfx-sim command). The protocol it speaks, and which fault flag exercises which unsure
point of it: docs/protocol.md.
"""
