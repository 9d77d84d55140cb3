"""The parameters of the education figures — `campaign=<code>`, `edition=<id>`, `period=<YYYY | YYYY-MM
| YYYY-Qn | YYYY-Hn | YYYY-MM-DD | YYYY-MM-DD..YYYY-MM-DD>`, `unit=<code>` — read the same way by the summary
API (`GET /api/v1/education/summary`), the figures page and its exports.

Bad values are field errors in the user's language (the API answers 422 in the error shape, the page shows
them by the filter); a unit that does not exist or lies outside the user's scope is a 404; a user without
`education.view_education` gets a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from xiaobao.analytics.periods import Period
from xiaobao.core.errors import DomainError
from xiaobao.core.models import OrgUnit
from xiaobao.education.figures import VIEW_PERM, Slice, root_unit
from xiaobao.education.models import Campaign, CampaignEdition


@dataclass
class Filters:
    unit: OrgUnit
    slice: Slice
    period: Period | None
    errors: dict[str, list[str]]

    @property
    def period_label(self) -> str:
        return self.period.label if self.period is not None else ""


def read_filters(user: Any, data: Any, *, strict: bool = True) -> Filters:
    """The filters from a query dict. `strict`: raise a DomainError (422) with every field's message;
    otherwise return them in `errors` with the bad ones left out of the slice."""
    if not user.has_perm(VIEW_PERM):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    code = (data.get("unit") or "").strip()
    if code:
        found = OrgUnit.objects.visible_to(user).filter(code=code).first()
        if found is None:
            raise Http404
        unit: OrgUnit | None = found
    else:
        unit = root_unit(user)
    if unit is None:
        raise Http404
    campaign = None
    campaign_code = (data.get("campaign") or "").strip()
    if campaign_code:
        campaign = Campaign.objects.filter(code=campaign_code).first()
        if campaign is None:
            errors["campaign"] = [_("No campaign has the code %(code)s.") % {"code": campaign_code[:40]}]
    edition = None
    edition_id = (data.get("edition") or "").strip()
    if edition_id:
        if not edition_id.isdigit():
            errors["edition"] = [_("Choose an edition from the list.")]
        else:
            edition = CampaignEdition.objects.select_related("campaign").filter(pk=int(edition_id)).first()
            if edition is None:
                errors["edition"] = [_("Choose an edition from the list.")]
    period = None
    text = (data.get("period") or "").strip()
    if text:
        try:
            period = Period.parse(text)
        except ValueError as exc:
            errors["period"] = [str(exc)]
    if errors and strict:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, fields=errors)
    slc = Slice(
        start=period.start if period else None,
        end=period.end if period else None,
        edition=edition,
        campaign=campaign if edition is None else None,
    )
    return Filters(unit=unit, slice=slc, period=period, errors=errors)
