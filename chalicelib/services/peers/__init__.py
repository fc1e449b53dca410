"""Orthanc peers: the peers Cirrus knows, and sending resources to them."""
