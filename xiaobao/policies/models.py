"""The policy catalogue (制度目录): internal policies, their versions (制定 enact / 修订 revise /
废止 repeal), each version's clauses, the regulations and their articles as data, the article ↔ clause
mapping, reviews and the review period as data.

A version is a draft until it is approved; **approval freezes it** — `PolicyVersion.save()`/`delete()`,
`PolicyClause.save()`/`delete()` and the querysets' `update()`/`delete()` refuse to change an approved
version or its clauses (`FrozenVersion`, a 409 conflict), the services and the API check it first and say so.
A change after approval is a new version.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q

VIEW = "policies.view_policies"
MANAGE = "policies.manage_policies"
APPROVE = "policies.approve_policies"
MANAGE_REGULATIONS = "policies.manage_regulations"


class FrozenVersion(Conflict):
    """An approved version (or one of its clauses) was about to change."""

    def __init__(self) -> None:
        from django.utils.translation import gettext as _g

        super().__init__(
            _g("An approved version is frozen and cannot be changed; draft a revision instead."),
            code="frozen",
        )


class SelfApproval(DomainError):
    """The four-eyes rule: whoever drafted or changed a version does not approve it (403)."""

    status = 403

    def __init__(self) -> None:
        from django.utils.translation import gettext as _g

        super().__init__(
            _g("Four-eyes rule: you drafted or changed this version, so another approver must approve it."),
            code="self_approval",
        )


class Level(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    BRANCH = "branch", _("Branch")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting enactment")
    IN_FORCE = "in_force", _("In force")
    REVISED = "revised", _("In force (revised)")
    REPEALED = "repealed", _("Repealed")


IN_FORCE = (PolicyStatus.IN_FORCE, PolicyStatus.REVISED)


class ChangeKind(models.TextChoices):
    ENACT = "enact", _("Enact (制定)")
    REVISE = "revise", _("Revise (修订)")
    REPEAL = "repeal", _("Repeal (废止)")


def _ancestor_paths(path: str) -> list[str]:
    from xiaobao.core.models.org import PATH_SEGMENT

    return [path[:i] for i in range(PATH_SEGMENT, len(path), PATH_SEGMENT)]


def policy_scope_q(user: Any, prefix: str = "") -> models.Q | None:
    """The policies a user sees: those of the user's subtree and of the units above it (a branch follows
    the head office's policies); None means everything, an empty Q-list nothing."""
    if not user.has_perm(VIEW):
        return models.Q(pk__in=[])
    q = scope_q(user, f"{prefix}org_unit__path")
    if q is None:
        return None
    path = user.org_unit.path if user.org_unit_id else ""
    return q | models.Q(**{f"{prefix}org_unit__path__in": _ancestor_paths(path)})


# --- regulations and their articles (data) ---------------------------------------------------------------


class Regulation(TimeStampedModel):
    """A higher rule (法规/规章/规范性文件) whose articles internal policies implement. Preloaded from the
    domain notes; head office adds more. `unconfirmed`: the text or numbering was not verified."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    unconfirmed = models.BooleanField(_("unconfirmed"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")

    def __str__(self) -> str:
        return f"《{self.name}》"

    def get_absolute_url(self) -> str:
        return reverse("policies:regulation", args=[self.pk])


class RegulationArticle(TimeStampedModel):
    regulation = models.ForeignKey(
        Regulation, on_delete=models.CASCADE, related_name="articles", verbose_name=_("regulation")
    )
    number = models.CharField(_("article"), max_length=40)  # 第十八条 / 第十八条第一款
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    summary = models.TextField(_("summary"), max_length=2000)
    unconfirmed = models.BooleanField(_("unconfirmed"), default=False)

    class Meta:
        ordering = ["regulation__sort_order", "regulation_id", "sort_order", "pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["regulation", "number"], name="policies_article_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.regulation}{self.number}"


# --- the review period (data) ------------------------------------------------------------------------------


class ReviewRule(TimeStampedModel):
    """How long a policy in force may go without a review, per level (data migration: 12 months each)."""

    level = models.CharField(_("level"), max_length=20, choices=Level.choices, unique=True)
    months = models.PositiveSmallIntegerField(_("months"), default=12)

    class Meta:
        ordering = ["level"]
        verbose_name = _("review rule")
        verbose_name_plural = _("review rules")

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.months}"


# --- policies -----------------------------------------------------------------------------------------------


class PolicyQuerySet(models.QuerySet["Policy"]):
    def visible_to(self, user: Any) -> PolicyQuerySet:
        q = policy_scope_q(user)
        return self if q is None else self.filter(q)


class Policy(TimeStampedModel):
    """An internal policy (制度) of a unit of the level it belongs to (head office or a branch). Its
    title, document number and effective date are those of its current (last approved) version."""

    view_permission: ClassVar[str] = VIEW

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="policies", verbose_name=_("unit")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    number = models.CharField(_("catalogue number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    owner_department = models.CharField(_("owner department"), max_length=100)
    status = models.CharField(
        _("status"), max_length=20, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    higher_rule = models.CharField(_("higher rule it implements"), max_length=300, blank=True)
    regulation = models.ForeignKey(
        Regulation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("regulation"),
    )
    current_version = models.ForeignKey(
        "PolicyVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__path", "number"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        default_permissions = ()
        permissions = [
            ("view_policies", "View the policy catalogue"),
            ("manage_policies", "Draft, revise and repeal policies, map clauses, record reviews"),
            ("approve_policies", "Approve policy versions"),
            ("manage_regulations", "Maintain the regulations and their articles"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "number"], name="policies_policy_unit_number")
        ]
        indexes = [models.Index(fields=["org_unit", "status"], name="policies_unit_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.pk])

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE


class FrozenQuerySet(models.QuerySet[Any]):
    """Bulk updates and deletes refuse rows of approved versions (the guard beside `save()`)."""

    frozen_filter: ClassVar[dict[str, Any]] = {}

    def update(self, **kwargs: Any) -> int:
        if self.filter(**self.frozen_filter).exists():
            raise FrozenVersion
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(**self.frozen_filter).exists():
            raise FrozenVersion
        return super().delete()


class VersionQuerySet(FrozenQuerySet):
    frozen_filter: ClassVar[dict[str, Any]] = {"approved_at__isnull": False}

    def visible_to(self, user: Any) -> VersionQuerySet:
        q = policy_scope_q(user, "policy__")
        return self if q is None else self.filter(q)


class PolicyVersion(TimeStampedModel):
    """One version of a policy: its kind of change, reason, document and clauses. Approved → frozen."""

    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="versions", verbose_name=_("policy")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind of change"), max_length=10, choices=ChangeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), max_length=4000)
    effective_on = models.DateField(_("effective date"))
    document = models.FileField(_("document"), upload_to="policies/%Y/", blank=True)
    document_name = models.CharField(_("document name"), max_length=200, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy_id", "number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policies_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(approved_at__isnull=True) | models.Q(approved_by__isnull=False),
                name="policies_version_approved_has_approver",
            ),
        ]
        indexes = [models.Index(fields=["approved_on"], name="policies_version_approved_on")]

    def __str__(self) -> str:
        return f"{self.policy.number} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("policies:version", args=[self.pk])

    @property
    def frozen(self) -> bool:
        return self.approved_at is not None

    def _stored_frozen(self) -> bool:
        if self.pk is None:
            return False
        return PolicyVersion.objects.filter(pk=self.pk, approved_at__isnull=False).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # the guard: a row that is approved in the database never changes again
        if self._stored_frozen():
            raise FrozenVersion
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_frozen():
            raise FrozenVersion
        return super().delete(*args, **kwargs)


class ClauseQuerySet(FrozenQuerySet):
    frozen_filter: ClassVar[dict[str, Any]] = {"version__approved_at__isnull": False}


class PolicyClause(models.Model):
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("version")
    )
    number = models.CharField(_("clause"), max_length=40)  # 第十二条
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    text = models.TextField(_("text"), max_length=10000)
    articles = models.ManyToManyField(
        RegulationArticle, through="ClauseArticle", related_name="clauses", verbose_name=_("articles")
    )

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "sort_order", "pk"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="policies_clause_unique_number")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._frozen():
            raise FrozenVersion
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._frozen():
            raise FrozenVersion
        return super().delete(*args, **kwargs)

    def _frozen(self) -> bool:
        return PolicyVersion.objects.filter(pk=self.version_id, approved_at__isnull=False).exists()


class ClauseArticle(TimeStampedModel):
    """A clause implements an article (with a note). The mapping annotates a version — which regulation a
    clause answers — and is not part of the version's approved text: it may be added to an approved version
    (audited), which is how an existing catalogue is mapped after the fact."""

    clause = models.ForeignKey(PolicyClause, on_delete=models.CASCADE, related_name="mappings")
    article = models.ForeignKey(RegulationArticle, on_delete=models.PROTECT, related_name="mappings")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["article__regulation__sort_order", "article__sort_order", "pk"]
        verbose_name = _("clause mapping")
        verbose_name_plural = _("clause mappings")
        constraints = [models.UniqueConstraint(fields=["clause", "article"], name="policies_mapping_unique")]


class PolicyReview(TimeStampedModel):
    """A periodic review that found nothing to change ("mark reviewed"): no new version."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("policy")
    )
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("policy review")
        verbose_name_plural = _("policy reviews")
