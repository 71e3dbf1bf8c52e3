"""Engines behind the one interface: OpenCC, the CC-CEDICT gloss, remote engines against a fake server."""

import pytest

from translation.engines import registry
from translation.engines.base import Engine
from translation.engines.gloss import GlossEngine
from translation.engines.llm_engine import LlmEngine, romanize_han
from translation.engines.opencc_engine import OpenCCEngine
from translation.engines.remote import DeepLEngine, LibreTranslateEngine


def test_every_engine_implements_the_interface():
    for engine in (OpenCCEngine(), GlossEngine(), LlmEngine(), LibreTranslateEngine(), DeepLEngine()):
        assert isinstance(engine, Engine)
        assert engine.name and engine.version


def test_opencc_converts_between_scripts_with_taiwan_phrasing():
    engine = OpenCCEngine()
    [r] = engine.translate_batch(["软件很好用，头发也很好"], "zh-Hans", "zh-Hant")
    assert r.ok and r.text == "軟體很好用，頭髮也很好" and not r.is_gloss
    [back] = engine.translate_batch([r.text], "zh-Hant", "zh-Hans")
    assert back.text == "软件很好用，头发也很好"
    assert not engine.supports("en", "zh-Hans")
    assert not engine.translate_batch(["hi"], "en", "zh-Hans")[0].ok


def test_gloss_is_marked_and_keeps_spans():
    engine = GlossEngine()
    [r] = engine.translate_batch(["今天吃火锅 #成都 🌶️ @anna"], "zh-Hans", "en")
    assert r.ok and r.is_gloss and r.engine == "gloss"
    assert "hotpot" in r.text and "today" in r.text
    assert "#成都" in r.text and "🌶️" in r.text and "@anna" in r.text
    [en] = engine.translate_batch(["hotpot and tea"], "en", "zh-Hans")
    assert en.ok and "火锅" in en.text and "茶" in en.text
    assert not engine.supports("en", "th")
    assert not engine.translate_batch(["😂😂"], "zh-Hans", "en")[0].ok


def test_llm_engine_without_model_fails_cleanly():
    engine = LlmEngine()
    assert not engine.available()
    [r] = engine.translate_batch(["hello there"], "en", "zh-Hans")
    assert not r.ok and "not installed" in r.error


def test_llm_refuses_oversize_input(settings):
    settings.TRANSLATION_MAX_CHARS = 100
    [r] = LlmEngine().translate_batch(["x" * 101], "en", "zh-Hans")
    assert not r.ok and r.error == "too long"


def test_romanize_leftover_chinese_names():
    assert romanize_han("I went to the西湖 in Hangzhou") == "I went to the Xihu in Hangzhou"
    assert romanize_han("no chinese") == "no chinese"


def test_libretranslate_batch(libretranslate):
    engine = LibreTranslateEngine()
    texts = ["今天天气很好，我们去公园吧", "周末去了西湖，风景绝了"]
    results = engine.translate_batch(texts, "zh-Hans", "en")
    assert [r.ok for r in results] == [True, True]
    assert results[0].text == "The weather is nice today, let's go to the park"
    assert len(libretranslate.requests) == 1  # one request for the whole batch
    sent = libretranslate.requests[0]["body"]
    assert sent["q"] == texts and sent["api_key"] == "lt-key" and sent["source"] == "zh-Hans"


def test_libretranslate_untranslated_answer_is_rejected(libretranslate):
    [r] = LibreTranslateEngine().translate_batch(["这句话假服务器不认识，会原样返回"], "zh-Hans", "en")
    assert not r.ok and "untranslated" in r.error


@pytest.mark.parametrize(
    ("mode", "error"),
    [("down", "HTTP 503"), ("slow", "unreachable"), ("garbage", "not JSON"), ("short", "malformed"), ("hostile", "")],
)
def test_remote_failures_become_failed_results(libretranslate, mode, error):
    libretranslate.mode = mode
    results = LibreTranslateEngine().translate_batch(
        ["今天天气很好，我们去公园吧", "周末去了西湖，风景绝了"], "zh-Hans", "en"
    )
    assert all(not r.ok for r in results)
    assert all(error in r.error for r in results)


def test_remote_engine_unreachable(settings):
    settings.LIBRETRANSLATE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    [r] = LibreTranslateEngine().translate_batch(["hello world again"], "en", "zh-Hans")
    assert not r.ok and "unreachable" in r.error


def test_deepl_codes_and_auth(deepl):
    [r] = DeepLEngine().translate_batch(["The weather is nice today, let's go to the park"], "en", "zh-Hans")
    assert r.ok and r.text == "今天天气很好，我们去公园吧"
    body = deepl.requests[0]["body"]
    assert body["source_lang"] == "EN" and body["target_lang"] == "ZH-HANS"
    assert deepl.requests[0]["auth"] == "DeepL-Auth-Key dl-key"


def test_deepl_wrong_key(settings, deepl):
    settings.DEEPL_API_KEY = "wrong"
    [r] = DeepLEngine().translate_batch(["hello there friends"], "en", "zh-Hans")
    assert not r.ok and "403" in r.error


def test_remote_engine_keeps_spans_or_fails(libretranslate):
    [r] = LibreTranslateEngine().translate_batch(["Best sourdough in town 🍞 thanks @anna"], "en", "zh-Hans")
    assert r.ok and "@anna" in r.text and "🍞" in r.text


def test_chain_order_and_gloss_last(settings, libretranslate):
    settings.TRANSLATION_ENGINES = ["gloss", "libretranslate", "llm", "opencc"]
    assert [e.name for e in registry.chain("zh-Hans", "en")] == ["libretranslate", "gloss"]
    assert registry.chain("zh-Hans", "zh-Hant")[0].name == "opencc"
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    assert [e.name for e in registry.chain("th", "en")] == []
    pairs = registry.supported_pairs()
    assert pairs == {"zh-Hans": ["zh-Hant"], "zh-Hant": ["zh-Hans"]}  # a gloss alone is not a translation
