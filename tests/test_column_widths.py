"""The ladder's column widths: `new_widths` and `kept_widths` equal `decimal_widths`."""

from __future__ import annotations

import random

from dfx_tui.widgets.columns import decimal_widths, kept_widths, new_widths


def test_new_and_kept_widths_equal_decimal_widths() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        places = rng.choice((0, 2, 5, 8))
        texts = [f"{rng.random() * 10 ** rng.randint(0, 9):.{places}f}"
                 for _ in range(rng.randint(0, 45))]
        if rng.random() < 0.3 and texts:  # blanks (price mode), mixed places, odd texts
            texts[rng.randrange(len(texts))] = rng.choice(("", "12", "1.2.3", ".5", "7."))
        expected = decimal_widths(texts)
        assert new_widths(texts) == expected, texts
        assert kept_widths(texts) == expected, texts
        assert kept_widths(list(texts)) == expected  # found again
