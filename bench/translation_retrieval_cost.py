"""What retrieved few-shot examples (translation/examples.py) cost before the first word.

    TRANSLATION_MODEL_PATH=... LLM_THREADS=1 PYTHONPATH=. python bench/translation_retrieval_cost.py --posts 8

For each dev-split post (both directions), alternating which goes first: the prompt as on demand today
(system message and fixed examples, the saved shared prefix, then the post) and the same with the two
nearest trusted pairs after the fixed examples. Measured: the time to find the pairs (encoding the
post; the encoder's load is reported apart), the prompt tokens the model reads beyond the shared prefix,
and the wall and CPU seconds to the first streamed piece of the answer (one thread, so CPU is close to
the model's own work; wall depends on the load). Medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from core import languages  # noqa: E402
from translation import examples, llm, prompts, termbase  # noqa: E402
from translation.spans import protect  # noqa: E402

DEV = Path(__file__).resolve().parent / "data" / "social_posts_dev.tsv"


def dev_posts(n: int) -> list[tuple[str, str, str]]:
    rows = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            _id, source, text, _ref = line.split("\t")
            rows.append((text, source, "en" if source.startswith("zh") else "zh-Hans"))
    zh = [r for r in rows if r[1].startswith("zh")][:n]
    en = [r for r in rows if not r[1].startswith("zh")][:n]
    return [r for pair in zip(zh, en, strict=False) for r in pair]


def tokens(model: object, messages: list[dict[str, str]]) -> int:
    text = "".join(m["content"] for m in messages)
    return len(model.tokenize(text.encode("utf-8"), add_bos=False))  # type: ignore[attr-defined]


def first_piece(messages: list[dict[str, str]], shared: int) -> tuple[float, float]:
    seen: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    marks: list[float] = []

    def on_text(_text: str) -> None:
        if not seen:
            seen.append(time.perf_counter() - wall)
            marks.append(time.process_time() - cpu)

    llm.chat_complete(messages, max_tokens=2, on_text=on_text, shared=shared)
    return (seen or [time.perf_counter() - wall])[0], (marks or [time.process_time() - cpu])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=8, help="dev posts per direction")
    args = parser.parse_args()
    model = llm.get_model()
    if model is None:
        raise SystemExit("no model (TRANSLATION_MODEL_PATH)")
    started = time.perf_counter()
    examples.embed(["warm up"])
    print(f"encoder load and first encode: {time.perf_counter() - started:.2f} s", flush=True)
    found: dict[str, list[float]] = {
        k: [] for k in ("retrieve_s", "extra_tokens", "fixed", "fixed_cpu", "ret", "ret_cpu")
    }
    for n, (text, source, target) in enumerate(dev_posts(args.posts)):
        sent = protect(text).text
        hints = termbase.hints(sent, languages.family(source), languages.family(target))
        fixed = prompts.build_messages(sent, source, target, terms=hints)
        # Another post of this direction first, as a worker that has translated one before: the shared
        # prefix is in the model's state, the post is not.
        other = prompts.build_messages("⟦1⟧", source, target, terms=[])
        first_piece(other, len(other) - 1)
        t0 = time.perf_counter()
        pairs = [(p.source_text, p.translation) for p in examples.nearest(text, source, target, 2)]
        found["retrieve_s"].append(time.perf_counter() - t0)
        retrieved = prompts.build_messages(sent, source, target, terms=hints, retrieved=pairs)
        shared = prompts.shared_messages(retrieved, pairs)
        found["extra_tokens"].append(tokens(model, retrieved[shared:-1]))
        order = [("fixed", fixed, len(fixed) - 1), ("ret", retrieved, shared)]
        for name, messages, prefix in order if n % 2 == 0 else reversed(order):
            wall, cpu = first_piece(messages, prefix)
            found[name].append(wall)
            found[f"{name}_cpu"].append(cpu)
        print(n, {k: round(v[-1], 3) for k, v in found.items()}, flush=True)
    print({k: round(statistics.median(v), 3) for k, v in found.items()})
    print("load average:", os.getloadavg())


if __name__ == "__main__":
    main()
