"""Feed client: one WebSocket connection, books kept right, record and replay."""
