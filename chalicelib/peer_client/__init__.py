"""The HTTP(S) clients of remote web services: Orthanc peers (``client.py``) and DICOMweb
servers (``dicomweb.py``), on one transport (``transport.py``)."""
