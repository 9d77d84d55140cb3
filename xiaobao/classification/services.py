"""Training, versions, suggestions and their record.

- **Training data** (`training_rows`): the institution's complaints whose codes are confirmed — a decision
  was notified or the complaint is closed or archived (the `decided` status group: decided, followed up,
  closed, archived, under review). Open complaints (codes may still change) and those that ended without a
  decision (withdrawn, declined, merged: nobody examined them) are left out. The codes are read from the
  complaint as it is now, so a code a handler corrected later is what the model learns. At most
  `MAX_TRAIN` of the newest.
- **Enough data**: at least `min_complaints()` (200, `XIAOBAO_CLASSIFIER_MIN_COMPLAINTS`) such complaints and,
  in at least one dimension, two codes with five complaints each; else training refuses with the reason and
  the suggestion service answers empty lists with it.
- **Versions**: each training writes a new version (its file, SHA-256, figures on the held-out 20 %, seed);
  activating one deactivates the others. Files are joblib files this app wrote into
  `<DATA_DIR>/classification/`; a file is read only when its SHA-256 equals the one stored with its version.
- **Suggestions**: the active model is cached in the process and reloaded when the active version changes
  (the active version is looked up at most every `ACTIVE_TTL` seconds, so registering complaints costs no
  query for it).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.classification import ml
from xiaobao.classification.models import ClassifierModel, Origin, Suggestion, TrainingJob
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.complaints.workflow import group
from xiaobao.core.errors import DomainError
from xiaobao.core.jobs import job_enqueue, job_finish, job_progress, job_run
from xiaobao.core.services.audit import audit_record

log = logging.getLogger(__name__)

DIMENSIONS = ("business_type", "cause")
MAX_TRAIN = 200_000
ACTIVE_TTL = 10.0  # seconds between two look-ups of the active version in one process
MANAGE = "classification.manage_classifier"


def min_complaints() -> int:
    return int(
        getattr(settings, "CLASSIFIER_MIN_COMPLAINTS", 0)
        or os.environ.get("XIAOBAO_CLASSIFIER_MIN_COMPLAINTS", 200)
    )


def confirmed_statuses() -> list[str]:
    return [str(s) for s in group("decided")]


def model_dir() -> Path:
    return Path(settings.DATA_DIR) / "classification"


# --- training data --------------------------------------------------------------------------------------


@dataclass
class Rows:
    texts: list[str]
    labels: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.texts)


def training_rows(limit: int = MAX_TRAIN) -> Rows:
    """The confirmed complaints' texts and codes, newest first (see the module's description)."""
    qs = (
        Complaint.objects.filter(status__in=confirmed_statuses())
        .order_by("-received_at", "-pk")
        .values_list("request", "description", "business_type__code", "cause__code")[:limit]
    )
    texts: list[str] = []
    labels: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for request, description, business_type, cause in qs.iterator(chunk_size=2000):
        texts.append(ml.complaint_text(request, description))
        labels["business_type"].append(business_type or "")
        labels["cause"].append(cause or "")
    return Rows(texts, labels)


def readiness(rows: Rows | None = None, count: int | None = None) -> tuple[bool, str]:
    """(ready, reason): whether there are enough confirmed complaints to train on."""
    minimum = min_complaints()
    n = len(rows) if rows is not None else count
    if n is None:
        n = Complaint.objects.filter(status__in=confirmed_statuses()).count()
    if n < minimum:
        return False, _(
            "Not enough complaints with confirmed codes yet: %(n)d of the %(min)d needed to learn from."
        ) % {"n": n, "min": minimum}
    if rows is not None and not any(len(ml.learnable(rows.labels[d])) >= 2 for d in DIMENSIONS):
        return False, _(
            "The confirmed complaints use too few codes: at least two codes with %(k)d complaints each are "
            "needed."
        ) % {"k": ml.MIN_PER_CLASS}
    return True, ""


# --- versions -------------------------------------------------------------------------------------------


def _store(trained: ml.Trained, version: int) -> tuple[str, str, int]:
    """Write the model file atomically; (name, sha256, size)."""
    directory = model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    joblib.dump(trained.to_dict(), buffer, compress=3)
    data = buffer.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    name = f"model-v{version}-{sha[:12]}.joblib"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".joblib")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, directory / name)
    return name, sha, len(data)


def _read(model: ClassifierModel) -> ml.Trained:
    """Load a version's file after checking it is the file this app wrote (name inside the model directory,
    SHA-256 as stored). Never loads anything else: a joblib file is a pickle."""
    directory = model_dir().resolve()
    path = (directory / model.file).resolve()
    if path.parent != directory:
        raise ValueError("model file outside the model directory")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != model.sha256:
        raise ValueError(f"model file of v{model.version} does not match its recorded hash")
    return ml.Trained.from_dict(joblib.load(io.BytesIO(data)))


def classifier_train(
    *,
    actor: Any = None,
    seed: int | None = None,
    activate: bool = True,
    with_baseline: bool = False,
    progress: Callable[[str, float], None] | None = None,
    limit: int = MAX_TRAIN,
) -> ClassifierModel:
    """Train a new version from the confirmed complaints (the newest `limit`); refuses (DomainError) when
    there are too few."""
    rows = training_rows(limit)
    ready, reason = readiness(rows)
    if not ready:
        raise DomainError(reason, code="not_enough_data")
    seed = random.SystemRandom().randrange(1, 2**31) if seed is None else seed
    outcome = ml.train(rows.texts, rows.labels, seed=seed, with_baseline=with_baseline, progress=progress)
    if not outcome.trained.classifiers:
        raise DomainError(_("No dimension had enough codes to learn."), code="not_enough_data")
    with transaction.atomic():
        last = ClassifierModel.objects.select_for_update().order_by("-version").first()
        version = (last.version if last else 0) + 1
        name, sha, size = _store(outcome.trained, version)
        model = ClassifierModel.objects.create(
            version=version,
            dimensions=list(outcome.trained.classifiers),
            trained_at=timezone.now(),
            trained_by=actor if actor is not None and actor.is_authenticated else None,
            n_train=outcome.n_train,
            n_test=outcome.n_test,
            seed=seed,
            seconds=round(outcome.seconds, 2),
            metrics=outcome.metrics,
            file=name,
            sha256=sha,
            size=size,
        )
        audit_record(
            actor=actor,
            action="create",
            obj=model,
            changes={"version": version, "n_train": outcome.n_train, "n_test": outcome.n_test},
        )
        if activate:
            classifier_activate(actor=actor, model=model)
    return model


def classifier_activate(*, actor: Any, model: ClassifierModel) -> ClassifierModel:
    with transaction.atomic():
        ClassifierModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        ClassifierModel.objects.filter(pk=model.pk).update(is_active=True)
        model.is_active = True
        audit_record(actor=actor, action="update", obj=model, changes={"is_active": True})
    transaction.on_commit(forget_active)
    forget_active()
    return model


# --- the model in the process ---------------------------------------------------------------------------


@dataclass
class _Cache:
    checked: float = -1e9
    version: int | None = None
    sha: str = ""
    trained: ml.Trained | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache = _Cache()


def forget_active() -> None:
    """Look the active version up again on the next suggestion (after an activation, and in tests)."""
    _cache.checked = -1e9


def active_model() -> tuple[int | None, ml.Trained | None]:
    """(version, model) of the active version, loaded once per process and version."""
    now = time.monotonic()
    if now - _cache.checked < ACTIVE_TTL:
        return _cache.version, _cache.trained
    with _cache.lock:
        row = ClassifierModel.objects.filter(is_active=True).only("version", "sha256", "file").first()
        if row is None:
            _cache.version, _cache.sha, _cache.trained = None, "", None
        elif row.sha256 != _cache.sha:
            try:
                _cache.trained, _cache.version, _cache.sha = _read(row), row.version, row.sha256
            except (OSError, ValueError) as exc:
                log.warning("classifier v%s not loaded: %s", row.version, exc)
                _cache.version, _cache.sha, _cache.trained = None, "", None
        _cache.checked = time.monotonic()
        return _cache.version, _cache.trained


# --- suggestions ----------------------------------------------------------------------------------------


@dataclass
class Suggested:
    business_type: list[dict[str, Any]]
    cause: list[dict[str, Any]]
    model_version: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"business_type": self.business_type, "cause": self.cause}


def _names(dimension: str) -> dict[str, str]:
    return dict(ComplaintCode.objects.active().of(dimension).values_list("code", "name"))


def no_model_reason() -> str:
    ready, reason = readiness()
    if not ready:
        return reason
    return _("No classification model has been trained and activated yet.")


def suggest(*, request: str, description: str) -> Suggested:
    """The best three business types and causes for a complaint's text, best first, with confidences; empty
    lists (and the reason) when no model is active."""
    version, trained = active_model()
    if trained is None:
        return Suggested([], [], None, no_model_reason())
    ranked = trained.suggest([ml.complaint_text(request, description)])
    out: dict[str, list[dict[str, Any]]] = {}
    for dim in DIMENSIONS:
        names = _names(dim) if dim in ranked else {}
        out[dim] = [
            {"code": code, "name": names[code], "confidence": conf}
            for code, conf in (ranked.get(dim) or [[]])[0]
            if code in names  # a code retired since the training is not suggested
        ]
    return Suggested(out["business_type"], out["cause"], version)


def suggest_many(texts: Sequence[tuple[str, str]]) -> tuple[int | None, list[dict[str, list[Any]]]]:
    """(version, per text {dimension: [(code, confidence)…]}) for many texts at once; ([] when no model)."""
    version, trained = active_model()
    if trained is None or not texts:
        return version, []
    ranked = trained.suggest([ml.complaint_text(r, d) for r, d in texts])
    return version, [
        {dim: ranked.get(dim, [[]] * len(texts))[i] for dim in DIMENSIONS} for i in range(len(texts))
    ]


def _as_json(pairs: Iterable[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"code": c, "confidence": v} for c, v in pairs]


def record_registered(complaint: Complaint) -> Suggestion | None:
    """Store what the active model suggests for a just-registered complaint and the codes chosen (in the
    registration's transaction, inside a savepoint: a failure here never fails the registration)."""
    version, trained = active_model()
    if trained is None or version is None:
        return None
    try:
        ranked = trained.suggest([ml.complaint_text(complaint.request, complaint.description)])
        with transaction.atomic():
            return Suggestion.objects.create(
                complaint=complaint,
                model_version=version,
                origin=Origin.REGISTERED,
                business_type=_as_json(ranked.get("business_type", [[]])[0]),
                cause=_as_json(ranked.get("cause", [[]])[0]),
                chosen_business_type=complaint.business_type.code if complaint.business_type_id else "",
                chosen_cause=complaint.cause.code if complaint.cause_id else "",
            )
    except Exception as exc:  # never fail a registration for its suggestion
        log.warning("suggestion not recorded for complaint %s: %s", complaint.pk, type(exc).__name__)
        return None


def record_imported(complaint_ids: Sequence[int], batch: int = 2000) -> int:
    """Store the suggestion for imported complaints (in batches; those recorded already are skipped)."""
    version, trained = active_model()
    if trained is None or version is None:
        return 0
    done = 0
    for start in range(0, len(complaint_ids), batch):
        ids = complaint_ids[start : start + batch]
        rows = list(
            Complaint.objects.filter(pk__in=ids, classification_suggestion__isnull=True).values_list(
                "pk", "request", "description", "business_type__code", "cause__code"
            )
        )
        if not rows:
            continue
        ranked = trained.suggest([ml.complaint_text(r[1], r[2]) for r in rows])
        Suggestion.objects.bulk_create(
            [
                Suggestion(
                    complaint_id=pk,
                    model_version=version,
                    origin=Origin.IMPORTED,
                    business_type=_as_json(ranked.get("business_type", [[]] * len(rows))[i]),
                    cause=_as_json(ranked.get("cause", [[]] * len(rows))[i]),
                    chosen_business_type=bt or "",
                    chosen_cause=cause or "",
                )
                for i, (pk, _r, _d, bt, cause) in enumerate(rows)
            ],
            ignore_conflicts=True,
        )
        done += len(rows)
    return done


def record_import_job(job_id: int) -> int:
    """The suggestions for the complaints one import job created (their references start IM<job>)."""
    from xiaobao.imports.writer import reference_prefix

    ids = list(
        Complaint.objects.filter(
            reference__gte=reference_prefix(job_id), reference__lt=reference_prefix(job_id + 1)
        ).values_list("pk", flat=True)
    )
    return record_imported(ids)


# --- training as a background job -----------------------------------------------------------------------


def training_job_create(*, actor: Any) -> TrainingJob:
    if not actor.has_perm(MANAGE):
        raise DomainError(_("You may not train the classifier."), code="forbidden")
    if TrainingJob.objects.filter(state__in=("queued", "running")).exists():
        raise DomainError(_("A training is already queued or running."), code="busy")
    ready, reason = readiness()
    if not ready:
        raise DomainError(reason, code="not_enough_data")
    unit = actor.org_unit
    job = TrainingJob.objects.create(
        requested_by=actor, org_unit=unit, seed=random.SystemRandom().randrange(1, 2**31)
    )
    from xiaobao.classification.tasks import training_task

    transaction.on_commit(lambda: job_enqueue(job, training_task))
    return job


STAGES = {
    "features": _("Reading the texts"),
    "business_type": _("Learning the business types"),
    "cause": _("Learning the causes"),
}


def training_job_run(job: TrainingJob) -> TrainingJob:
    def work(j: TrainingJob) -> None:
        job_progress(j, done=0, total=100, message=str(_("Reading the complaints")))

        def progress(stage: str, fraction: float) -> None:
            job_progress(j, done=int(100 * fraction), message=str(STAGES.get(stage, stage)))

        model = classifier_train(actor=j.requested_by, seed=j.seed, activate=j.activate, progress=progress)
        job_finish(j, message=_("Version %(v)d trained.") % {"v": model.version}, model=model)

    return job_run(job, work)  # a refusal (DomainError) fails the job with its message
