"""Command line entry point (placeholder until the app lands)."""


def main() -> int:
    print("dfx-tui: not yet implemented")
    return 0
