"""The DICOM service: a pynetdicom application entity in front of Cirrus's services.

Runs on Fargate (``Dockerfile``) and, locally, as a process of ``make run``. It holds no
logic of its own: C-STORE goes through the same ingest service as ``POST /instances``.
"""
