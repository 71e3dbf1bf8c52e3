"""Translation performance: on-demand latency, batch throughput, worker memory, cache hit rate.

    PYTHONPATH=. python bench/translation_perf.py [--notes 10] [--batch 10] [--readers 100]

1. Latency: one 40-token note (title + body, about 40 model tokens) translated by the LLM engine as a
   worker does it (spans, prompt, validation), median over ``--notes`` different notes, both directions.
2. Throughput: ``--batch`` sentences through ``translate_batch`` in one call (the model stays loaded and
   the shared prompt prefix is reused from llama.cpp's cache), sentences per second.
3. Memory: resident set size of this process with the model loaded (psutil), and the peak.
4. Cache: ``--readers`` readers open the same Discover page of 20 notes in another language; the first
   reader's requests are misses (jobs queued; a worker then fills the memory), everyone after hits.
   Measured through ``get_or_request_translation`` against a throwaway SQLite database.
Prints one line per figure; the machine and thread count go in docs/benchmarks.md with the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
os.environ.setdefault("SQLITE_PATH", str(Path(tempfile.mkdtemp()) / "perf.sqlite3"))
os.environ.setdefault("TASK_BACKEND", "django_tasks.backends.dummy.DummyBackend")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

NOTES_ZH = [
    "周末去了杭州的西湖🌸，人超多但是风景绝了，推荐早上七点前去，湖边的早餐店也很好吃 #旅行",
    "今天的早餐：豆浆油条，十块钱吃得饱饱的😋 楼下这家店开了二十年了，老板人特别好",
    "这家火锅店排队两个小时，但是真的值得，毛肚和鸭肠太好吃了，下次还要带朋友来",
    "分享一个超简单的番茄炒蛋做法，新手也能学会！先炒蛋再炒番茄，最后加一点糖",
    "成都的熊猫基地一定要早上去，下午熊猫都在睡觉，门票五十五元，地铁可以直达",
]
NOTES_EN = [
    "Finally tried the viral sourdough from @mill_bakery and honestly it lives up to the hype 🍞 worth the wait",
    "Rainy Sunday, homemade dumplings and a good movie. Perfect way to end the week, highly recommend",
    "Thrifted this vintage jacket for only 15 dollars, best find of the year! The store is near the station",
    "Learning Chinese day 12: I can finally order bubble tea without pointing at the menu, so proud of myself",
    "This sunset over the lake was unreal, no filter at all. We walked around the whole lake before dinner",
]


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def llm_figures(n_notes: int, batch: int) -> None:
    from translation import llm
    from translation.engines.llm_engine import LlmEngine

    if not llm.is_available():
        print("llm: not available (install llama-cpp-python and run `manage.py models install`)")
        return
    before = rss_mb()
    started = time.perf_counter()
    llm.get_model()
    print(f"model load: {time.perf_counter() - started:.1f} s, RSS {before:.0f} -> {rss_mb():.0f} MB")
    engine = LlmEngine()
    for source, target, notes in (("zh-Hans", "en", NOTES_ZH), ("en", "zh-Hans", NOTES_EN)):
        engine.translate_batch([notes[0]], source, target)  # warm the prompt prefix for this direction
        times = []
        for i in range(n_notes):
            text = notes[i % len(notes)] + ("" if i < len(notes) else f" ({i})")
            t0 = time.perf_counter()
            engine.translate_batch([text], source, target)
            times.append(time.perf_counter() - t0)
        print(
            f"latency {source}->{target}: median {statistics.median(times):.2f} s over {len(times)} notes "
            f"(min {min(times):.2f}, max {max(times):.2f})"
        )
    # Each call follows one in the other direction (a worker serving both): the shared system prompt
    # and examples come from the state saved for that direction (translation.llm._PrefixStates), or,
    # with PREFIX_STATES=0, are evaluated again.
    cold = []
    for i in range(min(n_notes, len(NOTES_ZH))):
        for source, target, notes in (("zh-Hans", "en", NOTES_ZH), ("en", "zh-Hans", NOTES_EN)):
            t0 = time.perf_counter()
            engine.translate_batch([notes[i] + " ."], source, target)
            cold.append(time.perf_counter() - t0)
    print(f"latency, directions alternating (prefix from its saved state): median {statistics.median(cold):.2f} s")
    speed_figures()
    sentences = [s for note in NOTES_ZH for s in note.replace("！", "，").split("，") if len(s) > 3][:batch]
    t0 = time.perf_counter()
    results = engine.translate_batch(sentences, "zh-Hans", "en")
    elapsed = time.perf_counter() - t0
    ok = sum(r.ok for r in results)
    print(f"throughput: {len(sentences) / elapsed:.2f} sentences/s ({len(sentences)} zh->en sentences, {ok} ok)")
    peak = psutil.Process().memory_info().rss / 1e6
    print(f"worker RSS with model loaded: {peak:.0f} MB; engine stats {dict(engine.stats)}")


def speed_figures() -> None:
    """Raw model speed: prompt evaluation and generation, tokens per second (what bounds latency)."""
    from translation import llm

    model = llm.get_model()
    assert model is not None
    prompt = "Write a short story about a cat who likes noodles. " * 12
    model.reset()
    t0 = time.perf_counter()
    model.create_completion(prompt, max_tokens=1, temperature=0.0)
    n_prompt = len(model.tokenize(prompt.encode()))
    prompt_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = model.create_completion(prompt, max_tokens=64, temperature=0.0)  # prompt cached: generation only
    gen_s = time.perf_counter() - t0
    n_gen = out["usage"]["completion_tokens"]
    print(
        f"model speed: prompt {n_prompt / prompt_s:.0f} tokens/s ({n_prompt} tokens), "
        f"generation {n_gen / gen_s:.1f} tokens/s ({n_gen} tokens)"
    )


def cache_figures(readers: int) -> None:
    from django.db import connection

    from translation import services
    from translation.models import TranslationJob

    call_command("migrate", verbosity=0)
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]  # a worker needs an engine; the gloss is instant
    page = [(1000 + i, NOTES_ZH[i % 5] + f" 第{i}篇") for i in range(20)]
    services.reset_cache_stats()
    for reader in range(readers):
        for note_id, text in page:
            services.get_or_request_translation(
                obj_kind="note", obj_id=note_id, field="body", text=text, source="zh-Hans", target="en"
            )
        if reader == 0:  # the worker runs once the first reader queued the page
            services.process_jobs(list(TranslationJob.objects.values_list("pk", flat=True)))
    stats = services.cache_stats()
    print(
        f"cache: {readers} readers x {len(page)} notes: hit rate {stats['hit_rate']:.3f} "
        f"({stats['hits']} hits, {stats['misses']} misses) on {connection.vendor}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=10)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--skip-llm", action="store_true")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, LLM_THREADS {settings.LLM_THREADS}, load {os.getloadavg()[0]:.1f}")
    cache_figures(args.readers)
    if not args.skip_llm:
        llm_figures(args.notes, args.batch)


if __name__ == "__main__":
    main()
