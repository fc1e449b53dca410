"""The server's own settings changed at run time (encoding, DICOM acceptance, log levels,
metrics) and its usage metrics."""
