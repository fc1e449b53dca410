"""What several capabilities share: Orthanc's timestamps, the registry of remote servers."""
