"""Benchmark: triage suggestions and possible repeats, against the company's keyword rules.

    python bench/bench_triage.py [--cases 8000] [--threshold 0.6] [--index-cases 1000000]
                                 [--public PATH.csv]

Suggestions: a generated history (data/complaint_texts.py: realistic Chinese texts with a
known category and handling department, second grievances, shared chatter) is split in time,
the first 80 % trains the model exactly as the add-on does (addon_complaints/tools/
text_triage.py) and the last 20 % is scored. Printed for category and department: accuracy
and macro-F1 at the threshold, coverage (share of cases with a suggestion at or above it),
the same for the keyword rules (complaint.routing.rule keywords, first match wins), and the
model's macro-F1 at the keyword rules' coverage (the model's most confident cases, as many as
the rules cover). An abstention counts as a miss in macro-F1: coverage is not free.

Repeats: a history with paraphrased repeats (synonyms, reordered sentences, the phone written
another way) is indexed with the add-on's MinHash bands (addon_complaints/tools/
text_similarity.py); each repeat looks for its original among the earlier cases. Printed:
precision at 1 (the first listed is the same matter), precision at 5 (share of listed
candidates that are the same matter; most repeats have one earlier case, so a list of five
cannot score above about 0.3) and recall at 5 (share of repeats whose original is listed),
against the existing rule alone (same phone, same category). Then the time to find
candidates for a new case among --index-cases cases: the index is built with numpy from the
same hash functions (checked equal to the pure-Python signature on a sample), the query is
the add-on's pure-Python code.

--public PATH: a labelled public data set, CSV with columns ``text,label`` (UTF-8, header
row); the same split and figures, with keyword rules learned as the five most distinctive
words per label would be written (there is no company rule book for a public set).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import logging
import random
import sys
import time
import types
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data import complaint_texts as texts  # noqa: E402
from data.generate import CATEGORIES  # noqa: E402

log = logging.getLogger("bench_triage")


def load_addon_tools():
    """The add-on's pure-Python tools, without importing Odoo (the add-on package would)."""
    package = types.ModuleType("complaint_text_tools")
    package.__path__ = [str(ROOT / "addon_complaints" / "tools")]
    sys.modules["complaint_text_tools"] = package
    modules = []
    for name in ("text_triage", "text_similarity"):
        spec = importlib.util.spec_from_file_location(
            f"complaint_text_tools.{name}", ROOT / "addon_complaints" / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


triage, similarity = load_addon_tools()


# History ---------------------------------------------------------------------------------
def history(n: int, seed: int, repeat_share: float = 0.12) -> tuple[list[texts.ComplaintText], list[int | None]]:
    """``n`` complaints in time order; ``origin[i]`` is the index of the case i repeats."""
    rng = random.Random(seed)
    names = list(CATEGORIES)
    weights = [CATEGORIES[c][1] for c in names]
    cases: list[texts.ComplaintText] = []
    origin: list[int | None] = []
    for i in range(n):
        if i > 20 and rng.random() < repeat_share:
            back = rng.randint(max(0, i - 400), i - 1)
            root = origin[back] if origin[back] is not None else back
            cases.append(texts.paraphrase(cases[back], rng))
            origin.append(root)
            continue
        category = rng.choices(names, weights)[0]
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        cases.append(texts.story(category, CATEGORIES[category][0], rng, phone))
        origin.append(None)
    return cases, origin


# Metrics ---------------------------------------------------------------------------------
def macro_f1(truth: list[str], predicted: list[str | None]) -> float:
    labels = set(truth)
    scores = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def summary(truth: list[str], predicted: list[str | None]) -> tuple[float, float, float]:
    """(accuracy over all, macro-F1 with abstentions as misses, coverage)."""
    n = len(truth)
    accuracy = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p) / n
    coverage = sum(1 for p in predicted if p is not None) / n
    return accuracy, macro_f1(truth, predicted), coverage


def evaluate_labels(name: str, train: list[tuple[str, str]], test: list[tuple[str, str]],
                    rules: list[tuple[str, list[str]]], threshold: float) -> dict:
    label_ids = {label: i for i, label in enumerate(sorted({lbl for _t, lbl in train}))}
    names = {i: label for label, i in label_ids.items()}
    start = time.perf_counter()
    model = triage.train([(text, label_ids[label]) for text, label in train])
    train_s = time.perf_counter() - start
    payload = model.to_json()
    start = time.perf_counter()
    loaded = triage.NaiveBayesModel.from_json(payload)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    suggestions = [loaded.suggest(text) for text, _label in test]
    score_ms = (time.perf_counter() - start) * 1000 / len(test)
    truth = [label for _text, label in test]
    at_threshold = [names[s.label] if s and s.confidence >= threshold else None for s in suggestions]
    keyword = [texts.first_matching_rule(rules, text) for text, _label in test]
    kw = summary(truth, keyword)
    # The model at the rules' coverage: its most confident cases, as many as the rules cover.
    ranked = sorted(range(len(test)), key=lambda i: -(suggestions[i].confidence if suggestions[i] else -1))
    covered = set(ranked[:round(kw[2] * len(test))])
    equal = [names[suggestions[i].label] if i in covered and suggestions[i] else None for i in range(len(test))]
    ours, eq = summary(truth, at_threshold), summary(truth, equal)
    print(f"\n{name}: {len(train):,} training cases, {len(test):,} held out, {len(label_ids)} labels")
    print(f"  training {train_s:.2f} s, model {len(payload) / 1e6:.2f} MB JSON, load {load_s * 1000:.0f} ms, "
          f"temperature {model.temperature:g}, scoring {score_ms:.2f} ms per case")
    print(f"  {'':34}{'accuracy':>9}{'macro-F1':>9}{'coverage':>9}")
    print(f"  {f'model at threshold {threshold:.2f}':34}{ours[0]:9.3f}{ours[1]:9.3f}{ours[2]:9.3f}")
    print(f"  {'keyword rules (first match)':34}{kw[0]:9.3f}{kw[1]:9.3f}{kw[2]:9.3f}")
    print(f"  {'model at the rules coverage':34}{eq[0]:9.3f}{eq[1]:9.3f}{eq[2]:9.3f}")
    print(f"  macro-F1 gain at equal coverage: {100 * (eq[1] - kw[1]):+.1f} points (target +10)")
    return {"gain": eq[1] - kw[1]}


def bench_suggestions(cases: int, threshold: float, seed: int) -> None:
    data, _origin = history(cases, seed, repeat_share=0.0)
    cut = int(len(data) * 0.8)
    for target, attribute, table in (("category", "category", texts.CATEGORY_KEYWORDS),
                                     ("department", "department", texts.DEPARTMENT_KEYWORDS)):
        rows = [(f"{c.subject} {c.description} {c.demand}", getattr(c, attribute)) for c in data]
        evaluate_labels(f"generated histories, {target}", rows[:cut], rows[cut:],
                        texts.keyword_rules(table), threshold)


def bench_public(path: Path, threshold: float, seed: int) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["text"], row["label"]) for row in csv.DictReader(handle) if row.get("text")]
    random.Random(seed).shuffle(rows)
    cut = int(len(rows) * 0.8)
    train, test = rows[:cut], rows[cut:]
    evaluate_labels(f"public set {path.name}", train, test, distinctive_keywords(train), threshold)


def distinctive_keywords(train: list[tuple[str, str]], per_label: int = 5) -> list[tuple[str, list[str]]]:
    """Words (2–3 characters) most specific to each label, as a rule writer would pick them."""
    by_label: dict[str, Counter] = defaultdict(Counter)
    overall: Counter = Counter()
    for text, label in train:
        grams = set(triage.text_ngrams(text, (2, 3)))
        by_label[label].update(grams)
        overall.update(grams)
    rules = []
    for label, counts in by_label.items():
        ranked = sorted(counts, key=lambda g: -(counts[g] / overall[g]) * min(counts[g], 20))
        rules.append((label, ranked[:per_label]))
    return rules


# Repeats ---------------------------------------------------------------------------------
def bench_repeats(cases: int, seed: int, listed: int = 5) -> None:
    """Each paraphrased repeat looks for its original exactly as the add-on does: band
    neighbours and same-phone cases are the evidence, ``rank_candidates`` lists them."""
    data, origin = history(cases, seed + 1)
    index = similarity.BandIndex()
    by_phone: dict[str, list[int]] = defaultdict(list)
    bodies = []
    first_right = listed_right = listed_total = queries = found = rule_found = 0
    for i, case in enumerate(data):
        body = f"{case.subject} {case.description} {case.demand}"
        bodies.append(body)
        bands = similarity.band_keys(similarity.minhash(body))
        phone = similarity.normalise_phone(case.phone)
        if origin[i] is not None:
            queries += 1
            root = origin[i]
            same_matter = {j for j in range(i) if j == root or origin[j] == root}
            same_phone = set(by_phone.get(phone, ()))
            keys = {n.key for n in index.query(bands)} | same_phone
            top = similarity.rank_candidates(body, [
                similarity.Evidence(j, bodies[j], same_phone=j in same_phone) for j in keys], limit=listed)
            right = [c.key in same_matter for c in top]
            first_right += bool(right and right[0])
            listed_right += sum(right)
            listed_total += len(top)
            found += any(right)
            # The existing rule: same phone as typed (no normalisation) and same category.
            rule_found += any(data[j].phone == case.phone and data[j].category == case.category
                              for j in same_matter)
        index.add(i, bands)
        by_phone[phone].append(i)
    print(f"\npossible repeats: {cases:,} cases, {queries:,} paraphrased repeats (phone reformatted), "
          f"listed up to {listed} (text similarity >= {similarity.MIN_TEXT_SIMILARITY} or same phone/ID)")
    print(f"  precision@1 {first_right / max(queries, 1):.3f}, precision@{listed} "
          f"{listed_right / max(listed_total, 1):.3f} ({listed_total / max(queries, 1):.1f} listed per case), "
          f"recall@{listed} {found / max(queries, 1):.3f}")
    print(f"  existing rule alone (same phone as typed + same category): recall {rule_found / max(queries, 1):.3f}")


def bench_index_time(cases: int, seed: int, probes: int = 200) -> None:
    import numpy as np

    rng = random.Random(seed + 2)
    names = list(CATEGORIES)
    weights = [CATEGORIES[c][1] for c in names]
    params = np.array(similarity.HASH_PARAMETERS, dtype=np.uint64)
    a, b = params[:, 0][:, None], params[:, 1][:, None]
    prime = np.uint64((1 << 31) - 1)
    index = similarity.BandIndex()
    bodies: list[str] = []
    start = time.perf_counter()
    chunk = 20000
    for first in range(0, cases, chunk):
        batch = []
        for _ in range(min(chunk, cases - first)):
            category = rng.choices(names, weights)[0]
            case = texts.story(category, CATEGORIES[category][0], rng, "13800000000")
            batch.append(f"{case.subject} {case.description} {case.demand}")
        hashes = [similarity.shingle_hashes(body) for body in batch]
        lengths = np.array([len(h) for h in hashes])
        flat = np.array([x for h in hashes for x in h], dtype=np.uint64)
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        signatures = np.empty((len(batch), similarity.NUM_HASHES), dtype=np.uint64)
        for row in range(similarity.NUM_HASHES):
            values = (a[row] * flat + b[row]) % prime
            signatures[:, row] = np.minimum.reduceat(values, offsets)
        if first == 0:  # the numpy signatures are the add-on's signatures
            for k in range(50):
                assert signatures[k].tolist() == similarity.minhash(batch[k]), "signature mismatch"
        for k, signature in enumerate(signatures.tolist()):
            index.add(first + k, similarity.band_keys(signature))
        bodies.extend(batch)
    build_s = time.perf_counter() - start
    probe_cases = []
    for _ in range(probes):
        j = rng.randrange(cases)
        probe_cases.append(texts.paraphrase(texts.ComplaintText("", bodies[j], "", "", "", "13800000000"), rng)
                           .description)
    start = time.perf_counter()
    candidates = 0
    for body in probe_cases:
        neighbours = index.query(similarity.band_keys(similarity.minhash(body)))
        similarity.rank_candidates(body, [similarity.Evidence(n.key, bodies[n.key]) for n in neighbours])
        candidates += len(neighbours)
    ours_ms = (time.perf_counter() - start) * 1000 / probes
    # Naive baseline: exact Jaccard against every case, measured on a slice and scaled.
    sample = bodies[:20000]
    start = time.perf_counter()
    probe_shingles = similarity.shingles(probe_cases[0])
    for body in sample:
        other = similarity.shingles(body)
        _ = len(probe_shingles & other) / max(len(probe_shingles | other), 1)
    naive_ms = (time.perf_counter() - start) * 1000 * cases / len(sample)
    print(f"\nsimilar-text search among {cases:,} cases (index built in {build_s:.0f} s, not timed "
          f"per case): {ours_ms:.1f} ms per new case (signature, {similarity.BANDS} band probes of at most "
          f"{similarity.PER_BAND_LIMIT} newest cases, exact re-rank of {candidates / probes:.0f} candidates); "
          f"target < 100 ms")
    print(f"  naive scan (exact Jaccard against every case, extrapolated from {len(sample):,}): "
          f"{naive_ms:,.0f} ms per case; ratio {naive_ms / ours_ms:,.0f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=8000, help="generated history for suggestions")
    ap.add_argument("--repeat-cases", type=int, default=6000, help="generated history for repeats")
    ap.add_argument("--threshold", type=float, default=0.6, help="the company's confidence threshold")
    ap.add_argument("--index-cases", type=int, default=1_000_000, help="cases in the timed index (0: skip)")
    ap.add_argument("--skip-suggestions", action="store_true", help="only the repeats and the index")
    ap.add_argument("--public", type=Path, help="labelled public set, CSV with text,label columns")
    ap.add_argument("--seed", type=int, default=20261203)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.skip_suggestions:
        bench_suggestions(args.cases, args.threshold, args.seed)
    if args.public:
        bench_public(args.public, args.threshold, args.seed)
    else:
        print("\npublic labelled set: none given (--public PATH.csv with text,label columns)")
    bench_repeats(args.repeat_cases, args.seed)
    if args.index_cases:
        bench_index_time(args.index_cases, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
