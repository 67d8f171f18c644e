"""Near-duplicate complaint texts: MinHash over character shingles, banded for an index.

A case's text becomes a set of character bigrams (digits and punctuation dropped, so a changed
phone number or a comma does not matter); its MinHash signature estimates the Jaccard
similarity with any other case. The signature is cut into bands; two cases that agree on a
whole band are candidates. Each band is stored as one integer, indexed in the database, so
looking up a new case costs one index probe per band however many cases there are, and adding
a case writes its bands once (the index is maintained incrementally). A band shared by very
many cases is read for its newest ``PER_BAND_LIMIT`` cases only, so the cost of a lookup is
bounded whatever the phrase.

With ``BANDS`` bands of ``ROWS`` rows, a pair with Jaccard similarity ``s`` shares at least one
band with probability ``1 - (1 - s**ROWS)**BANDS``: about 0.5 at s = 0.30 and 0.98 at s = 0.5.

Also here: the phone normalisation used to match the same caller across formats.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .text_triage import normalise_text

SHINGLE_SIZE = 2
BANDS = 16
ROWS = 3
# A band shared by thousands of cases (a stock phrase every caller uses) says little; only its
# newest cases are read, so that a lookup costs at most BANDS * PER_BAND_LIMIT rows.
PER_BAND_LIMIT = 200
NUM_HASHES = BANDS * ROWS
_PRIME = (1 << 31) - 1
_SPLIT = re.compile(r"[^\w]+|[\d_]+")


def _hash_parameters(count: int, seed: int = 20261203) -> list[tuple[int, int]]:
    """Fixed (a, b) pairs of the universal hashes ``(a * x + b) mod p``: every signature ever
    stored must have been made with the same ones. p = 2**31 - 1 and x is reduced modulo p
    first, so ``a * x + b`` stays below 2**63 (the bench computes a million signatures with
    numpy, with the same arithmetic)."""
    params = []
    state = seed
    for _ in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) & ((1 << 64) - 1)
        a = (state >> 33) % (_PRIME - 1) + 1
        state = (state * 6364136223846793005 + 1442695040888963407) & ((1 << 64) - 1)
        b = (state >> 33) % _PRIME
        params.append((a, b))
    return params


HASH_PARAMETERS = _hash_parameters(NUM_HASHES)


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    found = set()
    for segment in _SPLIT.split(normalise_text(text)):
        if len(segment) < size:
            if segment:
                found.add(segment)
            continue
        for start in range(len(segment) - size + 1):
            found.add(segment[start:start + size])
    return found


def shingle_hashes(text: str) -> list[int]:
    return [zlib.crc32(s.encode("utf-8")) % _PRIME for s in shingles(text)]


def minhash(text: str) -> list[int] | None:
    """The signature of ``text``, or None when it has no letters at all."""
    hashes = shingle_hashes(text)
    if not hashes:
        return None
    return [min((a * h + b) % _PRIME for h in hashes) for a, b in HASH_PARAMETERS]


def band_keys(signature: list[int]) -> list[int]:
    """One signed 32-bit integer per band (the band number is part of the key, so equal rows
    in different bands never meet)."""
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS:(band + 1) * ROWS]
        raw = zlib.crc32(f"{band}:{':'.join(map(str, rows))}".encode())
        keys.append(raw - (1 << 32) if raw >= 1 << 31 else raw)
    return keys


def jaccard(left: str, right: str) -> float:
    return shingle_jaccard(shingles(left), shingles(right))


def shingle_jaccard(a: set[str], b: set[str]) -> float:
    """``jaccard`` of two texts already cut into shingles (to compare one text with many)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)  # |a ∪ b| without building the union
    return shared / (len(a) + len(b) - shared)


def normalise_phone(phone: str | None) -> str:
    """The national number: digits only, without +86 / 0086 / a trunk 0, so that
    "+86 138-0013-8000", "(0)13800138000" and "13800138000" are the same caller."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if digits.startswith("0") and len(digits) == 12 and digits[1] == "1":
        digits = digits[1:]  # a mobile number written with a trunk zero
    return digits if len(digits) >= 7 else ""


def normalise_target(text: str | None) -> str:
    """Who or what is complained about, compared without case, spaces or punctuation."""
    return "".join(_SPLIT.split(normalise_text(text or "")))


# A listed possible repeat has at least this much text in common with the new case, unless
# the same phone or ID number vouches for it.
MIN_TEXT_SIMILARITY = 0.3
# What each kind of evidence adds to the ranking (text similarity counts as itself, 0–1).
PHONE_WEIGHT = 0.5
ID_WEIGHT = 0.5
TARGET_WEIGHT = 0.2


@dataclass(frozen=True)
class Evidence:
    """What links an earlier case to the new one."""

    key: int
    text: str
    same_phone: bool = False
    same_id_number: bool = False
    same_target: bool = False


@dataclass(frozen=True)
class Candidate:
    key: int
    score: float
    text_similarity: float
    same_phone: bool
    same_id_number: bool
    same_target: bool


def rank_candidates(text: str, evidence: list[Evidence], limit: int = 5,
                    cut: Callable[[str], set[str]] = shingles) -> list[Candidate]:
    """The earlier cases most likely to be the same matter as ``text``, best first
    (``cut`` is ``shingles``, or a memoised one when many texts meet the same others)."""
    ranked = []
    mine = cut(text)
    for item in evidence:
        similar = shingle_jaccard(mine, cut(item.text))
        if similar < MIN_TEXT_SIMILARITY and not (item.same_phone or item.same_id_number):
            continue
        similar = similar if similar >= MIN_TEXT_SIMILARITY else 0.0
        score = (similar + PHONE_WEIGHT * item.same_phone + ID_WEIGHT * item.same_id_number
                 + TARGET_WEIGHT * item.same_target)
        ranked.append(Candidate(item.key, score, similar, item.same_phone, item.same_id_number,
                                item.same_target))
    ranked.sort(key=lambda c: (-c.score, -c.key))
    return ranked[:limit]


@dataclass(frozen=True)
class Neighbour:
    key: int
    shared_bands: int


class BandIndex:
    """In-memory band index with the same keys as the stored one (bench and tests)."""

    def __init__(self):
        self._buckets: dict[int, list[int]] = {}

    def add(self, key: int, bands: list[int]) -> None:
        for band in bands:
            self._buckets.setdefault(band, []).append(key)

    def query(self, bands: list[int], limit: int = 50) -> list[Neighbour]:
        """Keys added with a shared band, most shared first (keys are added oldest first)."""
        hits: Counter = Counter()
        for band in bands:
            hits.update(self._buckets.get(band, ())[-PER_BAND_LIMIT:])
        return [Neighbour(key, shared) for key, shared in hits.most_common(limit)]
