from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.core.vault.detect import validate_no_c3
from xiaobao.core.vault.fields import SealedField
from xiaobao.core.vault.masking import mask

# Personal fields of a consumer: field name → vault kind. Each has a blind-index column `<name>_bidx`
# except the address (no exact lookup by address).
PERSONAL_FIELDS: dict[str, str] = {
    "id_number": "id_number",
    "phone": "phone",
    "account_number": "account_number",
    "address": "address",
    "email": "email",
}
INDEXED_FIELDS = ("id_number", "phone", "account_number")


class ConsumerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", pgettext_lazy("consumer kind", "Organisation")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_TAIWAN = "hmt_permit", _("HK/Macao/Taiwan permit")
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    OTHER = "other", _("Other")


class ConsumerQuerySet(models.QuerySet["Consumer"]):
    def visible_to(self, user: Any) -> ConsumerQuerySet:
        if not user.has_perm("core.view_consumer"):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)


class Consumer(TimeStampedModel):
    """A financial consumer known to the institution (complainant, proxy, heir…).

    ID number, phone, account/card number and address are C2 information (JR/T 0171-2020): stored
    encrypted in the personal-data vault, with keyed hashes (blind indexes) for exact lookup.
    """

    org_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("registering unit"), on_delete=models.PROTECT, related_name="consumers"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ConsumerKind.choices, default=ConsumerKind.PERSON
    )
    name = models.CharField(_("name"), max_length=100)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = SealedField(_("ID number"), kind="id_number")
    id_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = SealedField(_("phone"), kind="phone")
    phone_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    account_number = SealedField(_("account or card number"), kind="account_number")
    account_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = SealedField(_("address"), kind="address")
    # for notices to the complainant (acknowledgement, extension, decision) sent by e-mail
    email = SealedField(_("e-mail"), kind="email")
    note = models.TextField(_("note"), blank=True, validators=[validate_no_c3])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by"),
    )

    objects = ConsumerQuerySet.as_manager()
    audit_masked = {"name": "name"}  # plain fields that are personal data: masked in the audit trail

    class Meta:
        ordering = ["-id"]
        verbose_name = _("consumer")
        verbose_name_plural = _("consumers")
        default_permissions = ("view",)
        permissions = [
            ("manage_consumer", "Register and edit consumers"),
            ("reveal_personal_data", "Reveal masked personal data, stating a reason"),
        ]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        if self.kind == ConsumerKind.ORGANISATION:
            return self.name
        return mask(self.name, "name")
