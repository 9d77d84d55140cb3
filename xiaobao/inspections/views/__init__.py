"""Inspection pages."""

from xiaobao.inspections.views.inspections import inspection_list_view

__all__ = ["inspection_list_view"]
