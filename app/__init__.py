"""dfx-tui."""
