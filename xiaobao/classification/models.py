"""Models of classification."""
