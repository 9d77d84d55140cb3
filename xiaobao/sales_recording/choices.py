"""Choices of the sales-recording module: product kinds (the strata of a sample), why a sale was sampled."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    """Kinds of sales that require recording (银监办发〔2017〕110号 Art 2–4; 保监发〔2017〕54号 Art 6)."""

    WEALTH = "wealth", _("Own wealth-management product")
    AGENCY = "agency", _("Agency product (funds, trusts…)")
    INSURANCE = "insurance", _("Bancassurance")
    OTHER = "other", _("Other")


class SampleReason(models.TextChoices):
    RANDOM = "random", _("Random draw")
    MUST_CHECK = "must_check", _("Must be checked")
