"""The server itself: its settings changed at run time (encoding, DICOM acceptance, log
levels, metrics), its usage metrics, and its stateless ``/tools`` answers (``tools.py``)."""
