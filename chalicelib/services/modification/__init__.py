"""Modify and anonymize stored resources (the instance route and the ResourceModification job)."""
