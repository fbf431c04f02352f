"""Pure domain of dfx-tui: order book, trade tape, wire codec, price maths.

Nothing here does I/O or imports textual, rich or websockets (a test enforces it).
"""
