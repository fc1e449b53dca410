"""The stateless ``/tools`` answers: ``now``, ``now-local``, ``generate-uid`` and
``dicom-conformance``. None reads AWS."""

from __future__ import annotations

import uuid
from datetime import datetime

from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.services.shared.clock import orthanc_now

# ``?level=`` of /tools/generate-uid, as Orthanc spells them (lower case only).
UID_LEVELS = ("patient", "study", "series", "instance")


def now(utc: bool) -> str:
    """Orthanc's timestamp of this moment, in UTC or in the server's local time (on Lambda,
    UTC unless the function's ``TZ`` says otherwise)."""
    if utc:
        return orthanc_now()
    return datetime.now().strftime("%Y%m%dT%H%M%S")


def generate_uid(level: str | None) -> str:
    """A new identifier of the form Cirrus gives the resources it creates
    (``/tools/create-dicom``): a UUID for a PatientID, a ``2.25.`` UID otherwise. Orthanc
    answers an absent or unknown level with an empty 404."""
    if level not in UID_LEVELS:
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"Unknown level: {level}")
    if level == "patient":
        return str(uuid.uuid4())
    from chalicelib.dicom.creation import new_uid  # pydicom: not at cold start

    return new_uid()


def dicom_conformance(aet: str) -> str:
    from chalicelib.dicom.conformance import statement  # pynetdicom: not at cold start

    return statement(aet)
