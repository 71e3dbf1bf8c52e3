"""A quality smoke test of the real model through the engine (skips without it, like test_llm.py).

Twelve everyday sentences written for this test (six per direction, with references); the floors sit well
below what the engine scores (docs/translation.md, "CI and the real model"), so that only a broken
runtime, prompt, model file or validation fails it. Figures are measured in bench/translation_eval.py.
"""

from __future__ import annotations

import pytest
import sacrebleu

from translation.engines.llm_engine import LlmEngine

pytestmark = pytest.mark.django_db

ZH_EN = [
    ("今天的天气很好，我们去公园散步吧。", "The weather is nice today, let's go for a walk in the park."),
    ("这家面馆的牛肉面非常好吃。", "The beef noodles at this noodle shop are delicious."),
    ("我明天早上八点要去机场。", "I have to go to the airport at eight tomorrow morning."),
    ("她每天晚上都会读半个小时的书。", "She reads for half an hour every evening."),
    ("周末我和朋友一起去爬山了。", "I went hiking with my friends at the weekend."),
    ("这件衣服有点贵，但是质量很好。", "This piece of clothing is a bit expensive, but the quality is good."),
]
EN_ZH = [
    ("I bought some fresh fruit at the market this morning.", "我今天早上在市场买了一些新鲜水果。"),
    ("My brother is learning to play the guitar.", "我弟弟正在学弹吉他。"),
    ("The train was late because of the heavy rain.", "因为下大雨，火车晚点了。"),
    ("We cooked dinner together and watched a movie.", "我们一起做了晚饭，还看了一部电影。"),
    ("This café has a quiet corner where I like to work.", "这家咖啡馆有一个安静的角落，我喜欢在那里工作。"),
    ("Don't forget to bring an umbrella tomorrow.", "明天别忘了带伞。"),
]
# Floors for chrF over the six sentences of each direction (see the module docstring).
FLOOR = {"zh-en": 35.0, "en-zh": 15.0}


def _chrf(pairs: list[tuple[str, str]], source: str, target: str) -> tuple[float, list[str]]:
    engine = LlmEngine()
    results = engine.translate_batch([text for text, _ in pairs], source, target)
    outputs = [r.text if r.ok else "" for r in results]
    return sacrebleu.corpus_chrf(outputs, [[ref for _, ref in pairs]]).score, outputs


def test_zh_to_en_above_the_floor(real_model):
    score, outputs = _chrf(ZH_EN, "zh-Hans", "en")
    assert all(outputs), outputs  # every sentence passed validation
    assert score >= FLOOR["zh-en"], (score, outputs)


def test_en_to_zh_above_the_floor(real_model):
    score, outputs = _chrf(EN_ZH, "en", "zh-Hans")
    assert all(outputs), outputs
    assert score >= FLOOR["en-zh"], (score, outputs)
