"""The jobs engine (submitting, controlling, running steps) and what sending jobs share. Each kind
of job lives with the capability it serves (peers, dicom_asked, downloads)."""
