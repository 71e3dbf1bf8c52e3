"""Train a new version of the For-you model (embeddings, item-item neighbours, the learned ranker) with a progress bar,
and optionally start the schedule that retrains and purges old interactions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from recommend import candidates, services, tasks, training


class Command(BaseCommand):
    help = "Train and version the For-you recommender (var/recommend/model-<version>.npz)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="interactions of the last DAYS (default: the window)"
        )
        parser.add_argument("--no-embed", action="store_true", help="skip embedding notes")
        parser.add_argument("--purge", action="store_true", help="also delete interactions older than the window")
        parser.add_argument(
            "--schedule", action="store_true", help="queue retraining and purging every RECOMMEND_TRAIN_HOURS"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(
                    total=total,
                    desc=stage,
                    unit="notes" if stage == "embed" else "step",
                    disable=options["verbosity"] == 0,
                )
            bar.update(done - bar.n)

        model = training.train(days=options["days"], progress=progress, embed=not options["no_embed"])
        for bar in bars.values():
            bar.close()
        candidates.rebuild_pool()
        self.stdout.write(
            f"model {model.version}: {len(model.neighbours.item_ids)} items, {len(model.neighbours.scores)} neighbour "
            f"pairs, at {model.path}"
        )
        r = model.ranker
        self.stdout.write(
            f"ranker: logistic regression on {r.examples} impressions ({r.positives} engaged)"
            if r is not None
            else "ranker: none yet (too few labelled For-you impressions); serving the hand blend"
        )
        if options["purge"]:
            self.stdout.write(f"purged {services.purge_old_interactions()} old interactions")
        if options["schedule"]:
            hours = float(getattr(settings, "RECOMMEND_TRAIN_HOURS", 6))
            tasks.train_recommender.enqueue(hours)
            tasks.purge_interactions.enqueue(24.0)
            minutes = float(getattr(settings, "RECOMMEND_PRECOMPUTE_MINUTES", 5))
            if minutes > 0:
                tasks.precompute_for_you.enqueue(minutes / 60.0)
            self.stdout.write(
                f"scheduled: training every {hours:g} h, purging daily"
                + (f", For you ranked ahead for active readers every {minutes:g} min" if minutes > 0 else "")
            )
