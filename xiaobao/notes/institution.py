"""The institution's name on notices: the one the reports use (XIAOBAO_INSTITUTION_NAME, else head office)."""

from __future__ import annotations


def institution_name() -> str:
    from xiaobao.reports.builders import institution_name as reports_institution_name

    return reports_institution_name()
