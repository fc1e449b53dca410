"""Remote servers as the configuration and the API define them: Orthanc peers and DICOM
modalities (plain data and parsing; no I/O)."""
