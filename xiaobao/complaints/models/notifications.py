"""Notifications seen from complaints: the shared table (`casework.Notification`) under its old name.

A proxy, so every notification is here (as before: early warnings' too); `complaint=` keeps working in
queries (the `GenericRelation` on `Complaint`) and when creating one; `complaint` / `complaint_id` read the
subject when it is a complaint.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from xiaobao.casework.models import Notification as BaseNotification


def _subject_fields(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`complaint=` / `complaint_id=` turned into the generic subject's fields."""
    if "complaint" not in kwargs and "complaint_id" not in kwargs:
        return kwargs
    kwargs = dict(kwargs)
    complaint = kwargs.pop("complaint", None)
    pk = kwargs.pop("complaint_id", None) if complaint is None else complaint.pk
    if pk is None:
        return {**kwargs, "content_type": None, "object_id": None}
    from xiaobao.complaints.models import Complaint

    return {**kwargs, "content_type": ContentType.objects.get_for_model(Complaint), "object_id": pk}


class NotificationQuerySet(models.QuerySet["Notification"]):
    def create(self, **kwargs: Any) -> Notification:  # type: ignore[override]
        return super().create(**_subject_fields(kwargs))

    def select_related(self, *fields: Any) -> NotificationQuerySet:  # type: ignore[override]
        """`select_related("complaint")` as before: the subject is fetched with the rows (one more query)."""
        if "complaint" not in fields:
            return super().select_related(*fields)
        rest = [f for f in fields if f != "complaint"]
        qs = self.prefetch_related("subject")
        return super(NotificationQuerySet, qs).select_related(*rest) if rest else qs


class Notification(BaseNotification):
    objects = NotificationQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        proxy = True

    @property  # type: ignore[override]
    def complaint_id(self) -> int | None:
        ct = self.content_type_id and ContentType.objects.get_for_id(self.content_type_id)
        return self.object_id if ct and ct.app_label == "complaints" and ct.model == "complaint" else None

    @property
    def complaint(self) -> Any:  # type: ignore[override]
        return self.subject if self.complaint_id is not None else None
