"""What can go wrong on the wire, and how often, for a reference portal."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, fields


@dataclass
class FaultPlan:
    """Probabilities (0..1) of each fault per request; all zero = a well-behaved portal.

    ``slow``: the answer is delayed by ``slow_seconds``. ``http_5xx``: HTTP 503 before the
    call runs. ``fault_5xx``: XML-RPC fault 503 before the call runs. ``drop``: connection
    closed before the call runs. ``drop_after``: the call runs (and is committed) but the
    connection is closed before the answer is sent - the client cannot know it worked.
    ``duplicate``: each delivered record is repeated in the page with this probability.
    ``replay``: a page's cursor stops short so the next page repeats its tail.
    ``stale``: an older revision of a record already delivered is delivered again after it.
    ``shuffle``: pages are delivered in random order (True/False).
    ``rate_limit``: calls per second per credential before fault 429 (0 = unlimited).
    ``methods``: restrict faults to these method names (empty = all).
    """

    slow: float = 0.0
    slow_seconds: float = 2.0
    http_5xx: float = 0.0
    fault_5xx: float = 0.0
    drop: float = 0.0
    drop_after: float = 0.0
    duplicate: float = 0.0
    replay: float = 0.0
    stale: float = 0.0
    shuffle: bool = False
    rate_limit: float = 0.0
    methods: frozenset[str] = frozenset()
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def applies_to(self, method: str) -> bool:
        return not self.methods or method in self.methods

    def roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        with self._lock:
            return self._rng.random() < probability

    def rng(self) -> random.Random:
        return self._rng

    def update(self, **values: object) -> None:
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        for key, value in values.items():
            if key not in names:
                raise ValueError(f"unknown fault {key!r}; known: {', '.join(sorted(names))}")
            if key == "methods":
                value = frozenset(value)  # type: ignore[arg-type]
            setattr(self, key, value)
        if "seed" in values:
            self._rng.seed(self.seed)

    def clear(self) -> None:
        self.update(
            slow=0.0,
            http_5xx=0.0,
            fault_5xx=0.0,
            drop=0.0,
            drop_after=0.0,
            duplicate=0.0,
            replay=0.0,
            stale=0.0,
            shuffle=False,
            rate_limit=0.0,
            methods=frozenset(),
        )

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """``slow=0.1,drop=0.05,shuffle=1,seed=7`` as on the command line."""
        plan = cls()
        values: dict[str, object] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, _, raw = part.partition("=")
            key = key.strip().replace("-", "_")
            if key == "shuffle":
                values[key] = raw.strip() in ("1", "true", "yes", "")
            elif key == "seed":
                values[key] = int(raw)
            elif key == "methods":
                values[key] = frozenset(raw.split("+"))
            else:
                values[key] = float(raw)
        plan.update(**values)
        return plan
