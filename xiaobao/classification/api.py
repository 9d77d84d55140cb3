"""Assisted classification API (/api/v1/...): the suggestion for a complaint's text, and a complaint's similar
earlier complaints. Mounted before the complaints router, so `/complaints/suggest` is not read as a
complaint id."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from xiaobao.classification import selectors, services
from xiaobao.core.api.common import require_perm
from xiaobao.core.errors import DomainError

router = Router(tags=["Assisted classification"])

REGISTER = "complaints.register_complaint"
MAX_TEXT = 20_000


class ClassificationSuggestIn(Schema):
    request: str = Field("", max_length=MAX_TEXT, description="What the complainant asks for")
    description: str = Field("", max_length=MAX_TEXT, description="What happened")


class ClassificationCodeSuggestion(Schema):
    code: str
    name: str
    confidence: float = Field(..., description="0–1, calibrated on the training complaints")


class ClassificationSuggestOut(Schema):
    business_type: list[ClassificationCodeSuggestion]
    cause: list[ClassificationCodeSuggestion]


class ClassificationSimilarOut(Schema):
    id: int
    reference: str
    score: float = Field(..., description="Cosine similarity of the texts, 0–1")
    business_type: str = Field(..., description="Code of the business type")
    status: str


@router.post(
    "/complaints/suggest",
    response=ClassificationSuggestOut,
    summary="Suggested business type and cause for a complaint's text",
    description=(
        "At most three of each, best first, with a confidence; empty lists while no model is trained and "
        "active (until enough complaints with confirmed codes exist)."
    ),
)
def complaint_suggest(request: HttpRequest, body: ClassificationSuggestIn):
    require_perm(request.user, REGISTER)
    if not body.request.strip() and not body.description.strip():
        message = _("Give the request or the description.")
        raise DomainError(message, fields={"request": [message], "description": [message]})
    return services.suggest(request=body.request, description=body.description).as_dict()


@router.get(
    "/complaints/{complaint_id}/similar",
    response=list[ClassificationSimilarOut],
    summary="The earlier complaints most like this one (text similarity), within the caller's scope",
)
def complaint_similar(request: HttpRequest, complaint_id: int):
    complaint = selectors.visible_complaint(request.user, complaint_id)
    return [
        {
            "id": s.complaint.pk,
            "reference": s.complaint.reference,
            "score": s.score,
            "business_type": s.complaint.business_type.code,
            "status": s.complaint.status,
        }
        for s in selectors.similar(user=request.user, complaint=complaint)
    ]
