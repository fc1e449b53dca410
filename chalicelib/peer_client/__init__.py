"""The HTTP(S) client that talks to Orthanc peers."""
