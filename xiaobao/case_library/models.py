"""Models of case_library."""
