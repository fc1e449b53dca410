"""Chalice Blueprints, one module per area of the REST API."""
