"""What every part of the demo seeder shares: the seeded dice, the time scale, the demo logins."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
DAY = 86_400
HISTORY_DAYS = 120
MARKER = "demo.seed"
DEMO_ADMIN = "admin@example.com"
DEMO_AGENT = "agent@example.com"


class Dice(random.Random):
    """`random.Random` with cheaper `choice`/`randrange` (one `random()` call each).

    The standard ones draw bits in a Python loop; at millions of calls that was most
    of the generator's time. Still fully determined by the seed.
    """

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def weighted(self, population: Sequence[T], cum_weights: Sequence[float]) -> T:
        return population[bisect(cum_weights, self.random() * cum_weights[-1])]
