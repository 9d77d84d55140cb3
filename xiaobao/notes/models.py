"""Models of notes."""
