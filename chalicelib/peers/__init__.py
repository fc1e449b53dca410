"""Orthanc peers: their definitions (plain data) and the HTTP client that talks to them."""
