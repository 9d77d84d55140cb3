"""Inspections API: /api/v1/inspections…, /api/v1/inspections/checklists…, /api/v1/inspections/findings."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["inspections"])
