"""Complaint pages: lists and desks (`pages`), intake (`intake`), one complaint and its actions (`detail`)."""
