"""DICOM storage commitment (Push Model) as SCP, as Orthanc 1.10.1 does it: a modality asks
Cirrus to commit to instances it sent.

The DICOM service accepts the request (N-ACTION) at once; the instances are then checked
against the index, each committed only if Cirrus stores it with the same SOP class, and the
report (N-EVENT-REPORT) goes to the modality on a new association. Nothing is written. The
other side, Cirrus asking a modality, is ``services/dicom_asked/commitment.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.dicom_client.commitment import CLASS_INSTANCE_CONFLICT, NO_SUCH_OBJECT_INSTANCE
from chalicelib.model import Reference
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_served.retrieve import RetrieveService

if TYPE_CHECKING:
    from chalicelib.dicom_client.client import DicomClient


class CommitmentAnswers:
    def __init__(self, retrieve: RetrieveService, client: DicomClient) -> None:
        self._retrieve = retrieve
        self._client = client

    def check(self, references: list[Reference]) -> list[Reference]:
        """Each requested instance, with the reason it is not committed (0 if it is):
        stored in Cirrus with the same SOP class."""
        stored = self._retrieve.by_sop_instance_uid(r.sop_instance_uid for r in references)
        checked = []
        for reference in references:
            instance = stored.get(reference.sop_instance_uid)
            reason = 0
            if instance is None:
                reason = NO_SUCH_OBJECT_INSTANCE
            elif instance.sop_class_uid != reference.sop_class_uid:
                reason = CLASS_INSTANCE_CONFLICT
            checked.append(Reference(reference.sop_class_uid, reference.sop_instance_uid, reason))
        return checked

    def answer(
        self,
        modality: Modality,
        calling_aet: str,
        transaction_uid: str,
        references: list[Reference],
    ) -> None:
        """Check the instances of a request and send the report to ``modality``, calling
        as ``calling_aet`` (the AE title the request was addressed to)."""
        self._client.send_report(modality, calling_aet, transaction_uid, self.check(references))
