"""On-demand translation as a reader sees it: from the tap on Translate to the first words of the draft
on the page, and to the final, validated translation.

    python bench/translation_latency.py [--notes 8] [--port 8760]

Needs the local model (TRANSLATION_MODEL_PATH, llama-cpp-python) and Debian's chromium. On a throwaway
SQLite database (``--data``, default a new folder under /tmp) it creates a reader of English and
``--notes`` notes in Chinese (one body of about 40 model tokens each, no title), then starts the app
as ``make run`` does without Redis: ``runserver`` for the pages and ``db_worker_graceful --interval 0.5``
(so the worker's pickup delay, up to half a second, counts). A headless chromium signs in, opens each
note, taps Translate, and records in the page (a MutationObserver, ``performance.now()``) when the
draft's first words show and when the final translation does. A first note, not counted, loads the
model in the worker. Prints medians (and each run) with the load average; before the drafts, the
first words showed with the final translation.

``--engine N`` also times the engine alone (in this process) on N notes, alternating with and without
drafts being reported (the streamed generation and a callback per token, as the worker runs it), to
show what streaming costs the final answer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# About 40 model tokens each (Qwen2.5's tokenizer), the size of the latency rows in docs/benchmarks.md.
NOTES_ZH = [
    "周末去了杭州的西湖，人超多但是风景绝了，推荐早上七点前去，湖边的早餐店也很好吃",
    "今天的早餐是豆浆油条，十块钱吃得饱饱的，楼下这家店开了二十年了，老板人特别好",
    "这家火锅店排队两个小时，但是真的值得，毛肚和鸭肠太好吃了，下次还要带朋友来",
    "分享一个超简单的番茄炒蛋做法，新手也能学会，先炒蛋再炒番茄，最后加一点糖",
    "成都的熊猫基地一定要早上去，下午熊猫都在睡觉，门票五十五元，地铁可以直达",
    "下雨天在家包饺子看电影，这样过周末太舒服了，推荐大家试试韭菜鸡蛋馅的饺子",
    "第一次去云南，大理的天空真的很蓝，骑车环洱海一圈花了一整天，晚上腿都软了",
    "我们小区门口新开了一家面包店，早上八点就排长队，肉松面包和蛋挞卖得最快",
    "今年第一次自己种番茄，阳台上结了十几个果子，虽然很小但是特别甜，很有成就感",
    "周五晚上和朋友去看了一场话剧，演员的表演太精彩了，散场的时候大家都在鼓掌",
]
# Not one of the notes: the engine's warm-up shares no more than the prompt's prefix with them.
WARM_UP_ZH = "今天天气很好，我们下午去公园散步，顺便买了一杯奶茶"
PASSWORD = "correct horse battery"
CHROMIUM = "/usr/bin/chromium"

# Installed in the page before the tap: times, from the tap, of the first draft words and the final.
OBSERVE = """(dom) => {
  window.__tr = {t0: 0, first: null, final: null, failed: null, firstText: ""};
  const seen = () => {
    const t = performance.now() - window.__tr.t0;
    const block = document.getElementById(dom);
    if (!block) return;
    const draft = block.querySelector(".tr-partial");
    if (window.__tr.first === null && draft && draft.textContent.trim()) {
      window.__tr.first = t; window.__tr.firstText = draft.textContent.trim();
    }
    if (window.__tr.final === null && block.querySelector(".translated-by")) {
      window.__tr.final = t;
      if (window.__tr.first === null) window.__tr.first = t;  // no draft seen: the words came with the final
    }
    if (window.__tr.failed === null && block.dataset.state === "failed") window.__tr.failed = t;
  };
  const what = {subtree: true, childList: true, characterData: true, attributes: true};
  new MutationObserver(seen).observe(document.body, what);
  const link = document.querySelector("#" + dom + " .translate-tools a");
  window.__tr.t0 = performance.now();
  window.__tr.epoch = (performance.timeOrigin + window.__tr.t0) / 1000;
  link.click();
}"""


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def prepare(data: Path, notes: int) -> list[int]:
    """Migrate the throwaway database and create the reader, the author and the notes: their ids."""
    os.environ["SQLITE_PATH"] = str(data / "bench-stream.sqlite3")
    os.environ["NOTEBRIDGE_DATA_DIR"] = str(data)
    # Published at once (no screening task ahead of the translations in the worker's queue).
    os.environ["REVIEW_SCREENING"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.services import register_user, update_profile
    from notes.services import create_note

    # Auto-translate off: the translation starts at the tap, not as the page loads.
    reader = register_user(username="reader", password=PASSWORD, languages=["en"])
    update_profile(user=reader, auto_translate=False)
    author = register_user(username="chen", password=PASSWORD, languages=["zh-Hans"])
    texts = [NOTES_ZH[i % len(NOTES_ZH)] + ("" if i < len(NOTES_ZH) else f"（{i}）") for i in range(notes + 1)]
    return [create_note(author=author, body=text, language="zh-Hans").pk for text in texts]


# The stages of one tap in the trace (translation/trace.py), in the order they happen.
STAGES = [
    "request",
    "commit",
    "queued",
    "response",
    "job_start",
    "claimed",
    "engine_call",
    "prompt_built",
    "model_ready",
    "prefix_ready",
    "first_piece",
    "draft_written",
    "poll_draft",
    "page_first_words",
    "generated",
    "state_saved",
    "postcheck",
    "final",
    "page_final",
]


def stage_figures(runs: list[dict], trace: Path) -> dict:
    """Each counted tap's stages, in ms from the tap (the first time each stage is seen after it and
    before the next tap), and their medians."""
    lines = [json.loads(line) for line in trace.read_text().splitlines() if line.strip()]
    taps = [r["tap_epoch"] for r in runs] + [float("inf")]
    timelines: list[dict[str, float]] = []
    for i, run in enumerate(runs):
        if run["warm_up"]:
            continue
        start, end = taps[i], taps[i + 1]
        seen: dict[str, float] = {}
        for line in lines:
            stage = line["stage"]
            if stage == "poll_out" and line.get("draft"):
                stage = "poll_draft"
            if start <= line["t"] < end and stage not in seen:
                seen[stage] = round((line["t"] - start) * 1000, 1)
        if run["first_s"] is not None:
            seen["page_first_words"] = round(run["first_s"] * 1000, 1)
        if run["final_s"] is not None:
            seen["page_final"] = round(run["final_s"] * 1000, 1)
        polls = [line for line in lines if start <= line["t"] < end and line["stage"] in ("poll_in", "poll_out")]
        seen["polls"] = sum(1 for line in polls if line["stage"] == "poll_in")
        timelines.append(seen)
        print(json.dumps({s: seen[s] for s in [*STAGES, "polls"] if s in seen}), flush=True)
    medians = {
        s: median([t[s] for t in timelines if s in t]) for s in [*STAGES, "polls"] if any(s in t for t in timelines)
    }
    return {"stages_median_ms": medians}


def page_figures(
    note_ids: list[int], port: int, env: dict[str, str], log_path: Path, trace: Path | None = None
) -> dict:
    from playwright.sync_api import sync_playwright

    python = sys.executable
    log = log_path.open("w")
    web = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [python, "manage.py", "db_worker_graceful", "--interval", "0.5", "--queue-name", "*", "--no-reload", "-v", "0"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    runs: list[dict] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.set_default_timeout(120_000)
            for _ in range(60):
                try:
                    page.goto(f"{url}/login/")
                    break
                except Exception:
                    time.sleep(0.5)
            page.fill("#id_username", "reader")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{url}/")
            for i, note_id in enumerate(note_ids):
                dom = f"tr-note-{note_id}"
                page.goto(f"{url}/n/{note_id}/")
                page.wait_for_selector(f"#{dom} .translate-tools a")
                page.evaluate(OBSERVE, dom)
                # The warm-up loads the model in the worker: a minute or more on a busy 2-core box.
                page.wait_for_function(
                    "window.__tr && (window.__tr.final !== null || window.__tr.failed !== null)",
                    timeout=300_000 if i == 0 else 120_000,
                )
                got = page.evaluate("window.__tr")
                run = {
                    "note": note_id,
                    "first_s": round(got["first"] / 1000, 3) if got["first"] is not None else None,
                    "final_s": round(got["final"] / 1000, 3) if got["final"] is not None else None,
                    "failed": got["failed"] is not None,
                    "first_words": got["firstText"][:40],
                    "warm_up": i == 0,
                    "tap_epoch": got["epoch"],
                }
                runs.append(run)
                print(json.dumps(run, ensure_ascii=False), flush=True)
            browser.close()
    finally:
        for process in (web, worker):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
    counted = [r for r in runs if not r["warm_up"]]
    stages = stage_figures(runs, trace) if trace else {}
    return stages | {
        "first_words_median_s": median([r["first_s"] for r in counted if r["first_s"] is not None]),
        "final_median_s": median([r["final_s"] for r in counted if r["final_s"] is not None]),
        "drafts_seen": sum(1 for r in counted if r["first_s"] is not None and r["first_s"] < (r["final_s"] or 0)),
        "failed": sum(r["failed"] for r in counted),
        "notes": len(counted),
    }


def engine_figures(n: int) -> dict:
    """The engine alone, alternating with and without drafts reported: medians of the final answer.

    Every run translates a note the run before did not: llama.cpp reuses the tokens a prompt shares
    with the one before, so the same note twice in a row (as this did before session 12) evaluates
    only its last token the second time, and half the runs measured no prompt at all."""
    from translation import llm, progress
    from translation.engines.llm_engine import LlmEngine

    if not llm.is_available():
        return {"engine": "model not available"}
    engine = LlmEngine()
    engine.translate_batch([WARM_UP_ZH], "zh-Hans", "en")  # load, and warm the prompt prefix
    plain: list[float] = []
    drafted: list[float] = []
    firsts: list[float] = []
    for i in range(n):
        for j, with_drafts in enumerate((i % 2 == 0, i % 2 == 1)):
            k = 2 * i + j
            text = NOTES_ZH[k % len(NOTES_ZH)] + f"（{k}）"
            t0 = time.perf_counter()
            first: list[float] = []

            def seen(index: int, shown: str, t0: float = t0, first: list[float] = first) -> None:
                if not first:
                    first.append(time.perf_counter() - t0)

            with progress.reporting(seen if with_drafts else None):
                engine.translate_batch([text], "zh-Hans", "en")
            (drafted if with_drafts else plain).append(time.perf_counter() - t0)
            firsts.extend(first)
    return {
        "engine_final_median_s_without_drafts": median(plain),
        "engine_final_median_s_with_drafts": median(drafted),
        "engine_first_words_median_s": median(firsts),
        "engine_pairs": n,
    }


def speculative_figures(n: int, pred_tokens: int) -> dict:
    """Prompt-lookup speculative decoding (llama-cpp-python's ``LlamaPromptLookupDecoding``) against plain
    decoding: two instances of the model, the same zh->en prompts (the engine's, with the term base),
    alternating, greedy; medians of the generation time and whether the answers are the same."""
    from django.conf import settings
    from llama_cpp import Llama
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    from translation import prompts, termbase

    def load(draft: Any) -> Llama:
        return Llama(
            model_path=str(settings.TRANSLATION_MODEL_PATH),
            n_ctx=settings.LLM_CONTEXT,
            n_threads=settings.LLM_THREADS,
            verbose=False,
            draft_model=draft,
        )

    models: dict[str, Any] = {
        "plain": load(None),
        "prompt_lookup": load(LlamaPromptLookupDecoding(num_pred_tokens=pred_tokens)),
    }
    times: dict[str, list[float]] = {name: [] for name in models}
    tokens: dict[str, list[int]] = {name: [] for name in models}
    same = 0
    for i in range(n + 1):
        text = NOTES_ZH[i % len(NOTES_ZH)] + f"（{i}）"
        messages = prompts.build_messages(
            text, "zh-Hans", "en", with_placeholders=True, terms=termbase.hints(text, "zh", "en")
        )
        answers = {}
        for name in sorted(models, reverse=i % 2 == 1):
            t0 = time.perf_counter()
            out: Any = models[name].create_chat_completion(
                messages=messages, max_tokens=160, temperature=0.0, seed=1234
            )
            elapsed = time.perf_counter() - t0
            answers[name] = out["choices"][0]["message"]["content"]
            if i:  # the first round warms each instance's prompt prefix
                times[name].append(elapsed)
                tokens[name].append(out["usage"]["completion_tokens"])
        same += i > 0 and answers["plain"] == answers["prompt_lookup"]
    return {
        "speculative_pred_tokens": pred_tokens,
        "plain_median_s": median(times["plain"]),
        "prompt_lookup_median_s": median(times["prompt_lookup"]),
        "completion_tokens_median": median([float(t) for t in tokens["plain"]]),
        "same_answers": f"{same} of {n}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=8)
    parser.add_argument("--port", type=int, default=8760)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--engine", type=int, default=0, help="also time the engine alone on this many notes")
    parser.add_argument("--speculative", type=int, default=0, help="prompt-lookup decoding vs plain, on N notes")
    parser.add_argument("--pred-tokens", type=int, default=10)
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument(
        "--stages", action="store_true", help="trace each tap's stages in the servers (translation/trace.py)"
    )
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="stream-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    note_ids = prepare(data, args.notes)
    env = {**os.environ, "DEBUG": "1", "TASK_BACKEND": "django_tasks_db.DatabaseBackend"}
    env.pop("REDIS_URL", None)
    print(f"load average before: {load_average()}", flush=True)
    trace = data / "stages.jsonl" if args.stages else None
    if trace:
        env["TRANSLATION_TRACE_PATH"] = str(trace)
    figures = {} if args.skip_page else page_figures(note_ids, args.port, env, data / "servers.log", trace)
    if args.speculative:
        figures |= speculative_figures(args.speculative, args.pred_tokens)
    if args.engine:
        figures |= engine_figures(args.engine)
    figures["load_average_after"] = load_average()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
