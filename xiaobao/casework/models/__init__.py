"""Casework models: deadline rules (data for every kind of work item) and the abstract work-item bases."""

from xiaobao.casework.models.base import WorkClock, WorkEvent, WorkExtension, WorkItem, WorkItemQuerySet
from xiaobao.casework.models.notifications import Notification
from xiaobao.casework.models.rules import DeadlineRule

__all__ = [
    "DeadlineRule",
    "Notification",
    "WorkClock",
    "WorkEvent",
    "WorkExtension",
    "WorkItem",
    "WorkItemQuerySet",
]
