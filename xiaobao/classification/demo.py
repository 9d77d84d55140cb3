"""Demo (`Module.demo`): the first classifier version, trained on the demo bank's confirmed complaints (the
newest 3,000 at most, to stay fast), so the intake form, the import preview and the complaint page show
suggestions and similar complaints, and the administrators' page has a version with its figures."""

from __future__ import annotations

from typing import Any

DEMO_ROWS = 3000


def load(command: Any, **opts: Any) -> None:
    from xiaobao.classification import services
    from xiaobao.classification.models import ClassifierModel
    from xiaobao.core.errors import DomainError
    from xiaobao.core.models import User

    out = command.stdout
    if ClassifierModel.objects.exists():
        out.write("Demo classifier already trained.")
        return
    actor = User.objects.filter(username="hq_cp").first()
    rows = services.training_rows(limit=DEMO_ROWS)
    ready, reason = services.readiness(rows)
    if not ready:
        out.write(f"Demo classifier not trained: {reason}")
        return
    try:
        model = services.classifier_train(actor=actor, seed=1, limit=DEMO_ROWS)
    except DomainError as exc:
        out.write(f"Demo classifier not trained: {exc.message}")
        return
    bt = model.metrics.get("business_type", {})
    out.write(
        f"Demo classifier v{model.version}: {model.n_train} trained, {model.n_test} held out, "
        f"business type top-1 {bt.get('top1')}, {model.seconds:.1f} s."
    )
