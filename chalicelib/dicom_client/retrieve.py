"""C-MOVE and C-GET as a service class user: asking a modality to send resources, to another
AE (C-MOVE) or back over the same association (C-GET).

One request per resource, each identifier carrying only the UIDs of its level, as Orthanc
1.10.1 sends them (``SpecificCharacterSet``, ``QueryRetrieveLevel``, then PatientID; or
StudyInstanceUID, SeriesInstanceUID and SOPInstanceUID down to the level). Orthanc 1.10.1
moves every level through the Study Root model (later versions propose Patient Root too);
Cirrus proposes both and uses Patient Root for the patient level when the modality takes it.

The final status decides, as Orthanc: anything but success, warnings included (0xB000: some
sub-operations failed), fails the request; 0xC000 (unable to process) is a
RemoteUnprocessable. pynetdicom is imported inside the calls (see ``association.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.dicom_client.association import Associate
from chalicelib.dicom_client.find import build_identifier
from chalicelib.errors import RemoteError, RemoteUnprocessable
from chalicelib.remotes.modality import Modality

QUERY_RETRIEVE_LEVEL = "0008,0052"
SOP_CLASSES_IN_STUDY = "0008,0062"
# The tags that name a resource of each QueryRetrieveLevel, as Orthanc sends them.
IDENTIFYING_TAGS = {
    "PATIENT": ("0010,0020",),
    "STUDY": ("0020,000d",),
    "SERIES": ("0020,000d", "0020,000e"),
    "IMAGE": ("0020,000d", "0020,000e", "0008,0018"),
}
_PENDING = {0xFF00, 0xFF01}
_UNABLE_TO_PROCESS = 0xC000
# What Orthanc adds to the message of a 0xC000 answer.
UNPROCESSABLE = " (unable to process - resource not found ?)"

StoreHandler = Callable[[bytes], int]


def identifier(entry: Mapping[str, str]) -> dict[str, str] | None:
    """What is sent for a resource (``gggg,eeee`` -> value, with its QueryRetrieveLevel):
    the identifying tags of its level; None if one is missing (Orthanc: 400 Bad request)."""
    level = entry.get(QUERY_RETRIEVE_LEVEL, "")
    tags = IDENTIFYING_TAGS.get(level)
    if tags is None or any(tag not in entry for tag in tags):
        return None
    return {tag: entry[tag] for tag in tags}


class RetrieveSession:
    """C-MOVEs or C-GETs to one modality over one association, opened at the first request
    and opened again when the previous one was lost or proposed other storage classes.

    A C-GET association proposes the storage SOP classes given (a study's
    ``SOPClassesInStudy``) or pynetdicom's common ones, with the SCP role, and hands every
    file the modality sends on it to ``on_store``, whose status is the answer (success only
    once the file is stored)."""

    def __init__(
        self,
        associate: Associate,
        modality: Modality,
        timeout: float | None,
        on_store: StoreHandler | None = None,
    ) -> None:
        self._associate = associate
        self._modality = modality
        self.timeout = timeout
        self._on_store = on_store
        self._association: Any = None
        self._storage: tuple[str, ...] | None = None  # None: a C-MOVE association

    def move(self, level: str, keys: dict[str, str], target_aet: str) -> None:
        """Ask the modality to C-STORE the resource to ``target_aet``; RemoteError unless it
        reports every sub-operation done."""
        from pynetdicom.sop_class import (  # type: ignore[attr-defined]
            PatientRootQueryRetrieveInformationModelMove as PatientRoot,
        )
        from pynetdicom.sop_class import (  # type: ignore[attr-defined]
            StudyRootQueryRetrieveInformationModelMove as StudyRoot,
        )

        association = self._open(None, [(PatientRoot, None), (StudyRoot, None)])
        model = self._model(association, level, PatientRoot, StudyRoot, "C-MOVE")
        dataset = build_identifier(level, keys)
        self._finish(association.send_c_move(dataset, target_aet, model), "C-MOVE")

    def get(self, level: str, keys: dict[str, str], sop_classes: tuple[str, ...]) -> None:
        """Ask the modality to C-STORE the resource back on this association (each file
        goes to ``on_store``); RemoteError unless all arrived."""
        from pynetdicom import StoragePresentationContexts
        from pynetdicom.sop_class import (  # type: ignore[attr-defined]
            PatientRootQueryRetrieveInformationModelGet as PatientRoot,
        )
        from pynetdicom.sop_class import (  # type: ignore[attr-defined]
            StudyRootQueryRetrieveInformationModelGet as StudyRoot,
        )

        storage = sop_classes or tuple(c.abstract_syntax for c in StoragePresentationContexts)
        contexts: list[tuple[str, str | None]] = [(PatientRoot, None), (StudyRoot, None)]
        association = self._open(storage, contexts + [(uid, None) for uid in storage])
        model = self._model(association, level, PatientRoot, StudyRoot, "C-GET")
        self._finish(association.send_c_get(build_identifier(level, keys), model), "C-GET")

    def close(self) -> None:
        if self._association is not None and self._association.is_established:
            self._association.release()
        self._association = None

    def _open(self, storage: tuple[str, ...] | None, contexts: list[Any]) -> Any:
        current = self._association
        if current is not None and current.is_established and self._storage == storage:
            return current
        self.close()
        extra: dict[str, Any] = {}
        if storage is not None:
            from pynetdicom import build_role, evt

            extra["ext_neg"] = [build_role(uid, scp_role=True) for uid in storage]
            extra["evt_handlers"] = [(evt.EVT_C_STORE, self._handle_store)]
        self._association = self._associate(contexts, **extra)
        self._storage = storage
        return self._association

    def _handle_store(self, event: Any) -> int:
        assert self._on_store is not None
        from chalicelib.dicom_client.received import received_file

        return self._on_store(received_file(event))

    def _model(self, association: Any, level: str, patient: str, study: str, op: str) -> str:
        """Patient Root for the patient level when accepted, else Study Root (as Orthanc)."""
        accepted = {c.abstract_syntax for c in association.accepted_contexts}
        preferred = [patient, study] if level == "PATIENT" else [study]
        for model in preferred:
            if model in accepted:
                return model
        raise RemoteError(f'AET "{self._modality.aet}" does not accept {op}')

    def _finish(self, responses: Any, op: str) -> None:
        """Read the answers to the end; raise unless the final one is a success."""
        final = None
        for status, _ in responses:
            if not status or "Status" not in status:
                final = None
                break
            if status.Status not in _PENDING:
                final = status.Status
        aet = self._modality.aet
        if final is None:
            self.close()
            raise RemoteError(
                f'DicomAssociation - {op} to AET "{aet}": the association was aborted, '
                "or the modality did not answer in time"
            )
        message = f'{op} SCU to AET "{aet}" has failed with DIMSE status 0x{final:04X}'
        if final == _UNABLE_TO_PROCESS:
            raise RemoteUnprocessable(message + UNPROCESSABLE)
        if final != 0x0000:
            raise RemoteError(message)
