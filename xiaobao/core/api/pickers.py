"""Searchable pickers for programs and the browser: /api/v1/pickers/{kind}."""

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from xiaobao.core import pickers
from xiaobao.core.errors import field_error

router = Router(tags=["pickers"])


class PickerChoiceOut(Schema):
    value: str
    label: str
    hint: str


class PickerQuery(Schema):
    q: str = Field("", max_length=100, description="Name, pinyin initials (bjfh) or code")
    dimension: str = Field(
        "", max_length=60, description="The code dimension (channel, business_type, cause)"
    )
    limit: int = Field(pickers.DEFAULT_LIMIT, ge=1, le=pickers.MAX_LIMIT)


@router.get("/{kind}", response=list[PickerChoiceOut])
def picker_search(request: HttpRequest, kind: str, query: Query[PickerQuery]) -> list[pickers.Choice]:
    """What the user may choose of `kind` (unit, person, code), best match first: units of the user's
    subtree, active people of that subtree (`dimension`: a permission they hold), active codes of a
    dimension. Matches names, pinyin initials and codes."""
    if kind not in pickers.kinds():
        raise Http404
    try:
        return pickers.search(
            user=request.user, kind=kind, q=query.q, dimension=query.dimension, limit=query.limit
        )
    except pickers.PickerError as exc:
        raise field_error(exc.field, exc.message) from exc
