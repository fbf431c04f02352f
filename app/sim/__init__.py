"""dfx-sim: a local DigiFinex public WebSocket v1 exchange.

market.py (the book/tape model), faults.py (fault flags and bad frames), wire.py (framing),
session.py (one connection), server.py (SimServer, SimConfig), cli.py (the dfx-sim command).
"""
