"""Code lists of the fee catalogue: categories, version statuses, pricing bases."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    ACCOUNT = "account", _("Account services")
    TRANSFER = "transfer", _("Transfers and remittances")
    CARD = "card", _("Bank cards")
    EBANKING = "ebanking", _("Electronic banking")
    CREDIT = "credit", _("Loans and credit")
    AGENCY = "agency", _("Agency business")
    OTHER = "other", pgettext_lazy("fee category", "Other")


class Status(models.TextChoices):
    """A fee version's life: a draft change, in its fee review, published (in force or scheduled), superseded
    by a later published version, or rejected by the review."""

    DRAFT = "draft", pgettext_lazy("fee version", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("fee version", "In fee review")
    PUBLISHED = "published", pgettext_lazy("fee version", "Published")
    SUPERSEDED = "superseded", pgettext_lazy("fee version", "Superseded")
    REJECTED = "rejected", pgettext_lazy("fee version", "Rejected")


PENDING = (Status.DRAFT, Status.IN_REVIEW)
# Versions the public has been told about: in force, scheduled, or in force until a later one took over.
DISCLOSED = (Status.PUBLISHED, Status.SUPERSEDED)


class PriceBasis(models.TextChoices):
    """How the price is set (商业银行服务价格管理办法: market-regulated or government-guided/-set)."""

    MARKET = "market", _("Market-regulated price")
    GUIDED = "guided", _("Government-guided price")
    SET = "set", _("Government-set price")
