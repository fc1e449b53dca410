"""Reading the body of ``POST /modalities/{id}/storage-commitment`` (Cirrus asks a modality
for storage commitment): the modality, the instances to commit to, the timeout.

Checked in Orthanc 1.10.1's order, with its errors: the modality first (``modality()``, its
404), then the body; the instances below ``Resources`` are read (``stored()``, 404 for an
unknown resource) before ``DicomInstances`` is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.api.requests.fields import unsigned_timeout
from chalicelib.errors import bad_file
from chalicelib.model import Reference
from chalicelib.remotes.modality import Modality

NOT_AN_OBJECT = "Must provide a JSON object with a list of resources"


def commitment_request(
    body: Any,
    modality: Callable[[], Modality],
    stored: Callable[[list[str]], list[Reference]],
) -> tuple[Modality, list[Reference], int | None]:
    """``Resources`` (Orthanc IDs of any level) and/or ``DicomInstances`` (``[class,
    instance]`` pairs or objects), ``Timeout``. ``body`` is None when it is not JSON, which
    Orthanc answers as a body that is not an object."""
    found = modality()
    if not isinstance(body, dict):
        raise bad_file(NOT_AN_OBJECT)
    timeout = unsigned_timeout(body)
    if "Resources" not in body and "DicomInstances" not in body:
        raise bad_file(
            "Empty storage commitment request, one of these fields is mandatory: "
            '"Resources" or "DicomInstances"'
        )
    resource_ids = body.get("Resources", [])
    if not isinstance(resource_ids, list) or not all(isinstance(i, str) for i in resource_ids):
        raise bad_file('The "Resources" field must provide an array of Orthanc resources')
    references = stored(resource_ids)
    references += _given_references(body.get("DicomInstances", []))
    return found, references, timeout


def _given_references(entries: Any) -> list[Reference]:
    """``DicomInstances``: ``[SOPClassUID, SOPInstanceUID]`` pairs or objects with those keys."""
    if not isinstance(entries, list):
        raise bad_file('The "DicomInstances" field must provide an array of DICOM instances')
    references = []
    for entry in entries:
        if isinstance(entry, list):
            if len(entry) != 2 or not all(isinstance(uid, str) for uid in entry):
                raise bad_file(
                    "An instance entry must provide an array with 2 strings: "
                    "SOP Class UID and SOP Instance UID"
                )
            references.append(Reference(entry[0], entry[1]))
        elif isinstance(entry, dict):
            sop_class, sop_instance = entry.get("SOPClassUID"), entry.get("SOPInstanceUID")
            if not isinstance(sop_class, str) or not isinstance(sop_instance, str):
                # Orthanc 1.10.1's message, typo and unbalanced quote included.
                raise bad_file(
                    "An instance entry must provide an object with 2 string fiels: "
                    '"SOPClassUID" and "SOPInstanceUID'
                )
            references.append(Reference(sop_class, sop_instance))
        else:
            raise bad_file(
                "JSON array or object is expected to specify one instance to be queried, "
                f"found: {json.dumps(entry)}\n"
            )
    return references
