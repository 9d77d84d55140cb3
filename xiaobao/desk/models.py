"""Models of desk."""
