"""Read side: similar complaints (within the user's scope), the versions and the acceptance figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from sklearn.feature_extraction.text import TfidfVectorizer

from xiaobao.classification import ml
from xiaobao.classification.models import ClassifierModel, Origin, Suggestion
from xiaobao.complaints.models import Complaint, ComplaintCode

VIEW = "complaints.view_complaint"
SIMILAR_POOL = 1000  # the newest earlier complaints compared (the user's visible ones)
SIMILAR_WINDOW = dt.timedelta(days=730)  # … received at most two years before this one
SIMILAR_CHARS = 400  # each text cut here: enough to tell what it is about, fast to compare
SIMILAR_MIN_SCORE = 0.1
SIMILAR_SHOWN = 5


def visible_complaint(user: Any, pk: int) -> Complaint:
    """The complaint if the user may read it: 403 without the permission, 404 outside the user's scope."""
    if not user.has_perm(VIEW):
        raise PermissionDenied
    complaint = Complaint.objects.visible_to(user).filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return complaint


@dataclass
class Similar:
    complaint: Complaint
    score: float


def _text(request: str, description: str) -> str:
    return ml.normalise(f"{request}\n{description}")[:SIMILAR_CHARS]


def similar(*, user: Any, complaint: Complaint, shown: int = SIMILAR_SHOWN) -> list[Similar]:
    """The earlier complaints most like this one by text (TF-IDF of character bigrams, cosine), computed on
    demand over the newest `SIMILAR_POOL` complaints the user may see that were received in the two years
    before it; at most `shown`, best first, those scoring under `SIMILAR_MIN_SCORE` left out."""
    pool = list(
        Complaint.objects.visible_to(user)
        .exclude(pk=complaint.pk)
        .filter(
            received_at__lte=complaint.received_at,
            received_at__gte=complaint.received_at - SIMILAR_WINDOW,
        )
        .order_by("-received_at", "-pk")
        .values_list("pk", "request", "description")[:SIMILAR_POOL]
    )
    if not pool:
        return []
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, dtype=np.float32)
    matrix = vec.fit_transform(
        [_text(complaint.request, complaint.description), *(_text(r, d) for _, r, d in pool)]
    )
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    best = [i for i in np.argsort(-scores)[:shown] if scores[i] >= SIMILAR_MIN_SCORE]
    if not best:
        return []
    rows = Complaint.objects.select_related("business_type").in_bulk([pool[i][0] for i in best])
    return [Similar(rows[pool[i][0]], round(float(scores[i]), 3)) for i in best if pool[i][0] in rows]


# --- the administrators' page ----------------------------------------------------------------------------


def versions(limit: int = 20) -> list[ClassifierModel]:
    return list(ClassifierModel.objects.select_related("trained_by")[:limit])


@dataclass
class Acceptance:
    code: str
    name: str
    suggested: int = 0  # complaints with a suggestion whose chosen code is this one
    top1: int = 0  # … where the model's first suggestion was it
    top3: int = 0  # … where it was among the three suggested
    changed: int = 0  # … whose code is another one now (corrected later)

    @property
    def top1_rate(self) -> float | None:
        return self.top1 / self.suggested if self.suggested else None

    @property
    def top3_rate(self) -> float | None:
        return self.top3 / self.suggested if self.suggested else None


def acceptance(dimension: str, origin: str = Origin.REGISTERED) -> tuple[list[Acceptance], Acceptance]:
    """Per chosen code: how often the model's first suggestion was chosen, and how often the chosen code was
    among its three, over the complaints people registered (imports take their codes from a file); and how
    many have another code now. Sorted by the number of complaints; the second value is the total."""
    names = dict(ComplaintCode.objects.of(dimension).values_list("code", "name"))
    field = f"chosen_{dimension}"
    current = f"complaint__{dimension}__code"
    rows: dict[str, Acceptance] = {}
    total = Acceptance("", "")
    qs = Suggestion.objects.filter(origin=origin).values_list(field, dimension, current)
    for chosen, suggested, now in qs.iterator(chunk_size=5000):
        if not chosen or not suggested:
            continue
        codes = [s.get("code") for s in suggested]
        row = rows.setdefault(chosen, Acceptance(chosen, names.get(chosen, chosen)))
        for r in (row, total):
            r.suggested += 1
            r.top1 += int(codes[:1] == [chosen])
            r.top3 += int(chosen in codes)
            r.changed += int(now != chosen)
    return sorted(rows.values(), key=lambda r: (-r.suggested, r.code)), total


def origin_counts() -> dict[str, int]:
    rows = Suggestion.objects.values("origin").annotate(n=Count("pk")).values_list("origin", "n")
    return {str(origin): int(n) for origin, n in rows}
