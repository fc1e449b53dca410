"""Cirrus's DICOM conformance statement (``GET /tools/dicom-conformance``).

Orthanc answers its own statement as plain text; Cirrus answers one true to its DICOM service
(``scp_container/``) and its DICOM client (``chalicelib/dicom_client/``). The SOP classes and
transfer syntaxes are read from the pynetdicom lists the DICOM service is built from
(``scp_container.service``: ``build_ae``, and the storage contexts it offers per
association), and a test compares them, so that the statement cannot drift from what is
accepted. Which of these transfer syntaxes, and whether other SOP classes, are accepted at a
given time follows ``/tools/accepted-transfer-syntaxes`` and
``/tools/unknown-sop-class-accepted``: the statement says so rather than reading them.
pynetdicom is imported when the statement is asked for, not at cold start.
"""

from __future__ import annotations

from collections.abc import Iterable

# The query/retrieve models the DICOM service accepts (as SCP) and the DICOM client proposes
# (as SCU), by pynetdicom's name for them.
QUERY_RETRIEVE_MODELS = (
    "PatientRootQueryRetrieveInformationModelFind",
    "StudyRootQueryRetrieveInformationModelFind",
    "PatientRootQueryRetrieveInformationModelMove",
    "StudyRootQueryRetrieveInformationModelMove",
    "PatientRootQueryRetrieveInformationModelGet",
    "StudyRootQueryRetrieveInformationModelGet",
)


def _title(text: str) -> list[str]:
    return ["", "-" * len(text), text, "-" * len(text), ""]


def _table(uids: Iterable[str]) -> list[str]:
    """``  Name | UID`` lines, names aligned, as a reader scans them."""
    from pydicom.uid import UID

    rows = [(UID(uid).name, str(uid)) for uid in uids]
    width = max(len(name) for name, _ in rows)
    return [f"  {name.ljust(width)} | {uid}" for name, uid in rows]


def scp_contexts() -> dict[str, list[str]]:
    """The abstract syntaxes the DICOM service accepts, by service, in the order they are
    added to its application entity."""
    from pynetdicom import AllStoragePresentationContexts, sop_class

    return {
        "verification": [sop_class.Verification],  # type: ignore[attr-defined]
        "query_retrieve": [getattr(sop_class, name) for name in QUERY_RETRIEVE_MODELS],
        "commitment": [sop_class.StorageCommitmentPushModel],  # type: ignore[attr-defined]
        "storage": [context.abstract_syntax for context in AllStoragePresentationContexts],
    }


def storage_transfer_syntaxes() -> list[str]:
    """The transfer syntaxes the DICOM service can accept for storage: every one pynetdicom
    knows (files are stored as received, compressed or not), as far as
    ``/tools/accepted-transfer-syntaxes`` allows."""
    from pynetdicom import ALL_TRANSFER_SYNTAXES

    return list(ALL_TRANSFER_SYNTAXES)


def statement(aet: str) -> str:
    """The statement's text, for the AE title ``aet`` of the deployment."""
    contexts = scp_contexts()
    lines = [
        "=" * 38,
        "DICOM Conformance Statement of Cirrus",
        "=" * 38,
        "",
        "Cirrus is a DICOM archive on AWS that answers Orthanc's REST API. Its DICOM",
        f"service (application entity {aet}) runs as a container behind a network load",
        "balancer; its DICOM client runs in the API and job functions.",
        *_title("Echo SCP conformance"),
        "Cirrus accepts C-ECHO requests for:",
        "",
        *_table(contexts["verification"]),
        *_title("Store SCP conformance"),
        "Cirrus accepts C-STORE requests for the following SOP classes, with both the SCU",
        "and SCP roles (a C-GET requester may receive its sub-operations):",
        "",
        *_table(contexts["storage"]),
        "",
        "With /tools/unknown-sop-class-accepted set to true, Cirrus accepts other SOP",
        "classes too. A file is answered Success (0x0000) only once it is stored in S3",
        "and indexed; a file that cannot be parsed is answered 0xC210, a storage failure",
        "0xA700.",
        *_title("Find, Move and Get SCP conformance"),
        "Cirrus accepts C-FIND, C-MOVE and C-GET requests for:",
        "",
        *_table(contexts["query_retrieve"]),
        "",
        "C-FIND matches the index as /tools/find does. C-MOVE sends the files to the",
        "destination named among the known modalities, on new associations; C-GET sends",
        "them back on the requester's association.",
        *_title("Storage commitment conformance"),
        "Cirrus accepts N-ACTION requests as SCP, and N-EVENT-REPORT requests as SCU (the",
        "reports of the commitments it requested), for:",
        "",
        *_table(contexts["commitment"]),
        *_title("Transfer syntaxes"),
        "For storage, Cirrus accepts those of the following transfer syntaxes that",
        "/tools/accepted-transfer-syntaxes lists (all of them by default), preferring a",
        "compressed one the requester proposes, then the uncompressed ones:",
        "",
        *_table(storage_transfer_syntaxes()),
        "",
        "The other services accept the uncompressed transfer syntaxes of this list.",
        "Cirrus does not support extended negotiation.",
        *_title("SCU conformance"),
        "As a client, Cirrus sends C-ECHO (Verification), C-STORE (the SOP class and",
        "transfer syntax of each stored file, or a transcoding of it), C-FIND (the models",
        "above, and Modality Worklist Information Find), C-MOVE and C-GET (the models",
        "above), and storage commitment N-ACTION requests.",
        *_title("Access"),
        "Which modalities may call which service follows the DicomModalities option (and",
        "DicomAlwaysAllow*), as in Orthanc; DicomCheckCalledAet checks the called AE title.",
        "DICOM TLS is used when DicomTlsEnabled is set.",
        "",
    ]
    return "\n".join(lines)
