"""Signals of the review module.

`review_concluded(sender=Review, review=..., conclusion=...)` is sent after the transaction that concluded a
review commits (conclusion: "pass" | "pass_with_changes" | "reject"). The fee catalogue listens to it and
publishes a fee change whose review passed.
"""

from django.dispatch import Signal

review_concluded = Signal()
