"""The add-on's pure-Python triage tools: n-gram naive Bayes, MinHash bands, phone numbers.

They run inside Odoo, but need nothing of it; loaded here by path so that the add-on package
(which imports Odoo) is not imported.
"""
from __future__ import annotations

import importlib.util
import random
import sys
import types
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "addon_complaints" / "tools"


def _load(name: str):
    package = sys.modules.setdefault("complaint_text_tools", types.ModuleType("complaint_text_tools"))
    package.__path__ = [str(TOOLS)]
    full = f"complaint_text_tools.{name}"
    if full not in sys.modules:
        spec = importlib.util.spec_from_file_location(full, TOOLS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
    return sys.modules[full]


triage = _load("text_triage")
similarity = _load("text_similarity")

DELIVERY = ["网上下单{}天了还没送到，物流一直不更新", "约好上午送货，等到晚上也没人来", "快递显示已签收但是没收到"]
QUALITY = ["新买的电饭煲用了{}天就坏了", "冰箱运行时声音很大还有焦味", "洗衣机黑屏送修以后还是坏的"]


def samples():
    rows = []
    for n in range(2, 8):
        rows += [(t.format(n), 1) for t in DELIVERY] + [(t.format(n), 2) for t in QUALITY]
    return rows


def test_ngrams_ignore_digits_punctuation_and_width():
    grams = triage.text_ngrams("ＡB，12退款")
    assert grams["ab"] == 1 and grams["退款"] == 1
    assert not any(ch.isdigit() or ch == "，" for gram in grams for ch in gram)


def test_suggests_the_right_label_with_its_reasons():
    model = triage.train(samples())
    suggestion = model.suggest("下单很久了物流不更新还没送到")
    assert suggestion.label == 1
    assert 0.5 < suggestion.confidence <= 1.0
    assert [label for label, _p in suggestion.ranking] == [1, 2]
    assert suggestion.reasons and all(reason in "下单很久了物流不更新还没送到" for reason in suggestion.reasons)


def test_unknown_text_gets_no_suggestion():
    assert triage.train(samples()).suggest("ABC xyz") is None


def test_the_stored_model_scores_the_same():
    model = triage.train(samples())
    loaded = triage.NaiveBayesModel.from_json(model.to_json())
    text = "电饭煲坏了"
    assert loaded.suggest(text) == model.suggest(text)


def test_one_label_is_not_a_model():
    with pytest.raises(ValueError):
        triage.train([("退款", 1), ("退货", 1)])


@pytest.mark.parametrize("typed", ["+86 138-0013-8000", "(0)13800138000", "0086 13800138000",
                                   "138 0013 8000", "13800138000"])
def test_phone_formats_are_one_caller(typed):
    assert similarity.normalise_phone(typed) == "13800138000"


def test_similar_texts_share_bands_and_others_do_not():
    original = "上周买的冰箱运行时声音特别大，还有焦味，要求退货"
    paraphrase = "我之前投诉过，上周购买的冰箱运行时声音特别大还有焦味，希望退货"
    other = "会员卡里的积分莫名其妙被清零了"
    index = similarity.BandIndex()
    index.add(1, similarity.band_keys(similarity.minhash(original)))
    index.add(2, similarity.band_keys(similarity.minhash(other)))
    found = [n.key for n in index.query(similarity.band_keys(similarity.minhash(paraphrase)))]
    assert found == [1]
    assert similarity.jaccard(original, paraphrase) > 0.5


def test_minhash_estimates_jaccard():
    rng = random.Random(1)
    words = "冰箱洗衣机电饭煲快递物流退款积分会员发票价格态度排队"
    left = "".join(rng.choice(words) for _ in range(200))
    right = left[:120] + "".join(rng.choice(words) for _ in range(80))
    a, b = similarity.minhash(left), similarity.minhash(right)
    estimate = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    assert abs(estimate - similarity.jaccard(left, right)) < 0.2
    assert similarity.minhash("") is None
