"""Complaints: code tables, deadline rules, the complaint, its events, clocks, extensions, attachments."""

from xiaobao.complaints.models.codes import ComplaintCode, DeadlineRule, NoticeTemplate
from xiaobao.complaints.models.complaint import Complaint, ComplaintEvent
from xiaobao.complaints.models.exports import ExportJob
from xiaobao.complaints.models.notifications import Notification
from xiaobao.complaints.models.work import Assistance, Attachment, Clock, Extension

__all__ = [
    "Assistance",
    "Attachment",
    "Clock",
    "Complaint",
    "ComplaintCode",
    "ComplaintEvent",
    "DeadlineRule",
    "ExportJob",
    "Extension",
    "NoticeTemplate",
    "Notification",
]
