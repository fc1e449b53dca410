"""DICOM modification and anonymization: plain Python, no AWS."""
