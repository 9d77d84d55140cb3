"""Foundation models: institution tree, people, audit trail, calendar, personal-data vault."""

from xiaobao.core.models.accounts import ApiToken, User
from xiaobao.core.models.audit import AuditEvent
from xiaobao.core.models.calendar import CalendarOverride, CalendarYear
from xiaobao.core.models.consumers import Consumer
from xiaobao.core.models.jobs import BackgroundJob, JobState
from xiaobao.core.models.org import OrgUnit, OrgUnitKind, OrgUnitYearFigure
from xiaobao.core.models.retention import RecordType, RetentionRule

__all__ = [
    "ApiToken",
    "AuditEvent",
    "BackgroundJob",
    "CalendarOverride",
    "CalendarYear",
    "Consumer",
    "JobState",
    "OrgUnit",
    "OrgUnitKind",
    "OrgUnitYearFigure",
    "RecordType",
    "RetentionRule",
    "User",
]
