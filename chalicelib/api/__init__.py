"""The REST entry point: parse the request, call a service, shape Orthanc's answer."""
