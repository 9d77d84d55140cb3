"""`xiaobao classifier_train [--seed N] [--no-activate] [--baseline]`: train a new version of the classifier
from the complaints with confirmed codes, measure it on a random 20 % held out, store and (by default)
activate it. Exit status 1 when there are not enough complaints yet (the reason is printed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.errors import DomainError


def figures_lines(metrics: dict[str, Any]) -> list[str]:
    lines = []
    for dim, m in metrics.items():
        if "skipped" in m:
            lines.append(f"  {dim}: not trained ({m['skipped']})")
            continue
        line = f"  {dim}: top-1 {m.get('top1')}  top-3 {m.get('top3')}  macro-F1 {m.get('macro_f1')}"
        if m.get("baseline"):
            b = m["baseline"]
            line += f"   (baseline top-1 {b['top1']}, top-3 {b['top3']}, macro-F1 {b['macro_f1']})"
        lines.append(line)
    return lines


class Command(BaseCommand):
    help = "Train a new version of the classification model from the complaints with confirmed codes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, help="seed of the random 80/20 split (default: random)")
        parser.add_argument("--no-activate", action="store_true", help="keep the active version active")
        parser.add_argument("--baseline", action="store_true", help="also measure the plain baseline")

    def handle(self, *args: Any, **options: Any) -> None:
        from xiaobao.classification.services import classifier_train

        def progress(stage: str, fraction: float) -> None:
            self.stderr.write(f"{stage}: {int(100 * fraction)}%")

        try:
            model = classifier_train(
                seed=options["seed"],
                activate=not options["no_activate"],
                with_baseline=options["baseline"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        state = "active" if model.is_active else "not active"
        self.stdout.write(
            f"version {model.version} ({state}): trained on {model.n_train}, measured on {model.n_test} "
            f"held out (seed {model.seed}) in {model.seconds:.1f} s"
        )
        for line in figures_lines(model.metrics):
            self.stdout.write(line)
