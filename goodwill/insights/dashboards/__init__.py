"""The operational dashboards insights ships itself (others register theirs from their apps)."""
