"""Protecting patients against recycling: ``GET``/``PUT /patients/{id}/protected``.

A patient is protected when its record says so (``Prot``) and is out of the ``ByRecycling``
index (no ``rcy``); protecting takes it out, unprotecting puts it back at the end of the
recycling order, as Orthanc does. Orthanc answers an ID that names no patient with
``ParameterOutOfRange``.
"""

from __future__ import annotations

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.model import Resource
from chalicelib.services.resources.recycling import recycling_position
from chalicelib.storage.index import ResourceIndex


class ProtectionService:
    def __init__(self, index: ResourceIndex) -> None:
        self._index = index

    def is_protected(self, patient_id: str) -> bool:
        return self._patient(patient_id).protected

    def set_protected(self, patient_id: str, protected: bool) -> None:
        """One GetItem, and one conditional UpdateItem when the state changes."""
        if self._patient(patient_id).protected != protected:
            self._index.set_protected(patient_id, protected, recycling_position(patient_id))

    def _patient(self, patient_id: str) -> Resource:
        record = self._index.get(patient_id) if is_resource_id(patient_id) else None
        if record is None or record.level is not Level.PATIENT:
            raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE)
        return record
