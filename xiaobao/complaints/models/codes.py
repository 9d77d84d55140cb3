from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.models import DeadlineRule
from xiaobao.complaints.choices import CodeDimension
from xiaobao.core.models.base import TimeStampedModel

__all__ = ["ComplaintCode", "DeadlineRule", "NoticeTemplate"]


class ComplaintCodeQuerySet(models.QuerySet["ComplaintCode"]):
    def active(self) -> ComplaintCodeQuerySet:
        return self.filter(is_active=True)

    def of(self, dimension: str) -> ComplaintCodeQuerySet:
        return self.filter(dimension=dimension)


class ComplaintCode(TimeStampedModel):
    """One entry of the three JR/T 0169-2018 dimensions (channel, business type, cause).

    The standard's official numeric codes are UNCONFIRMED (regulations.md §4.1), so codes are data an
    administrator edits; the preloaded table follows the categories in use at banks.
    """

    dimension = models.CharField(_("dimension"), max_length=20, choices=CodeDimension.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ComplaintCodeQuerySet.as_manager()

    class Meta:
        ordering = ["dimension", "sort_order", "code"]
        verbose_name = _("complaint code")
        verbose_name_plural = _("complaint codes")
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="complaint_code_unique")]
        permissions = [("manage_codes", "Maintain complaint code tables and deadline rules")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class NoticeTemplate(TimeStampedModel):
    """An editable template for the decision notice (Art 19: verification, basis and reasons, remedies).

    Placeholders: {reference} {complainant} {received} {request} {verification} {basis} {result} {remedies}
    {unit} {date}.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    body = models.TextField(_("text"))
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")

    def __str__(self) -> str:
        return self.name

    def render(self, context: dict[str, str]) -> str:
        text = self.body
        for key, value in context.items():
            text = text.replace("{" + key + "}", value)
        return text
