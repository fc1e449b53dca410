"""The one map from errors to HTTP answers (chalicelib/api/error_map.py)."""

from __future__ import annotations

import pytest

from chalicelib.api.error_map import (
    LengthRequired,
    MethodNotAllowed,
    error_answer,
    error_body,
    http_status,
)
from chalicelib.errors import (
    ErrorCode,
    OrthancError,
    RemoteError,
    RemoteUnprocessable,
    ServerFault,
    TooLarge,
    UnsupportedImage,
    recorded_error,
    recorded_type,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OrthancError(ErrorCode.UNKNOWN_RESOURCE), 404),
        (OrthancError(ErrorCode.INEXISTENT_ITEM), 404),
        (OrthancError(ErrorCode.BAD_FILE_FORMAT), 400),
        (OrthancError(ErrorCode.UNAUTHORIZED), 401),
        (OrthancError(ErrorCode.TIMEOUT), 504),
        (OrthancError(ErrorCode.NOT_IMPLEMENTED), 501),
        (OrthancError(ErrorCode.DATABASE_UNAVAILABLE), 503),
        (OrthancError(ErrorCode.BAD_SEQUENCE_OF_CALLS), 500),  # not listed: a fault
        (OrthancError(ErrorCode.CANCELED_JOB), 500),
        (RemoteError("peer down"), 500),
        # The most specific class wins over its parent's and its code's status.
        (RemoteUnprocessable("0xC000"), 422),
        (TooLarge("too large"), 413),
        (UnsupportedImage("no codec"), 415),
        (ServerFault(ErrorCode.UNKNOWN_DICOM_TAG), 500),
        (OrthancError(ErrorCode.UNKNOWN_DICOM_TAG), 400),
        (MethodNotAllowed("PUT", "GET,POST"), 405),
        (LengthRequired("send a Content-Length"), 411),
    ],
)
def test_statuses(error: OrthancError, status: int) -> None:
    assert http_status(error) == status


def test_the_body_is_orthancs() -> None:
    error = RemoteUnprocessable('C-FIND SCU to AET "X" has failed')
    assert error_body(error, "POST", "/modalities/x/query") == {
        "Details": 'C-FIND SCU to AET "X" has failed',
        "HttpError": "Unprocessable Entity",
        "HttpStatus": 422,
        "Message": "Error in the network protocol",
        "Method": "POST",
        "OrthancError": "Error in the network protocol",
        "OrthancStatus": 9,
        "Uri": "/modalities/x/query",
    }
    status, body = error_answer(OrthancError(ErrorCode.UNKNOWN_RESOURCE), "GET", "/x")
    assert status == 404 and "Details" not in body and body["HttpError"] == "Not Found"


def test_a_job_record_gives_back_the_error_it_failed_with() -> None:
    failed = RemoteUnprocessable("0xC000")
    again = recorded_error(failed.code.number, str(failed), recorded_type(failed))
    assert type(again) is RemoteUnprocessable and str(again) == "0xC000"
    plain = recorded_error(15, "bad", recorded_type(OrthancError(ErrorCode.BAD_FILE_FORMAT)))
    assert type(plain) is OrthancError and plain.code is ErrorCode.BAD_FILE_FORMAT
    # Without its type, a job's error is its code alone (Orthanc's jobs keep no more).
    assert type(recorded_error(9, "0xC000")) is OrthancError
