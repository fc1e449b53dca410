"""The one map from errors to HTTP answers: Orthanc's status for each error code, the few
errors whose status is their own, and Orthanc's JSON error body.

Every layer raises errors in Orthanc's terms (``chalicelib/errors.py``); only this module
knows how HTTP reports them. The routes (through ``routing.py``), the local stack's REST server,
the record of an upload that went through S3, and the API Gateway responses of the CDK app all
answer through it, so a client sees the same status and body whichever path failed.
"""

from __future__ import annotations

from http import HTTPStatus

from chalicelib.errors import (
    ErrorCode,
    MalformedBody,
    OrthancError,
    RemoteUnprocessable,
    ServerFault,
    StorageRejected,
    TooLarge,
    UnsupportedImage,
)

# Orthanc's HTTP status for each error code; 500 for the codes not listed.
_CODE_STATUS = {
    ErrorCode.NOT_IMPLEMENTED: 501,
    ErrorCode.PARAMETER_OUT_OF_RANGE: 400,
    ErrorCode.BAD_PARAMETER_TYPE: 400,
    ErrorCode.INEXISTENT_ITEM: 404,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.URI_SYNTAX: 400,
    ErrorCode.BAD_FILE_FORMAT: 400,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.UNKNOWN_RESOURCE: 404,
    ErrorCode.INEXISTENT_TAG: 404,
    ErrorCode.UNKNOWN_DICOM_TAG: 400,
    # Orthanc answers these three with 500; Cirrus with 400 (a property of the data, not a
    # fault of the server): docs/compatibility.md.
    ErrorCode.INCOMPATIBLE_IMAGE_FORMAT: 400,
    ErrorCode.INCOMPATIBLE_IMAGE_SIZE: 400,
    ErrorCode.CANNOT_ORDER_SLICES: 400,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.BAD_JSON: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.NOT_ACCEPTABLE: 406,
    ErrorCode.DATABASE_UNAVAILABLE: 503,
    ErrorCode.REVISION: 409,
    ErrorCode.FORBIDDEN_ACCESS: 403,
    # /tools/create-dicom: Orthanc 1.10.1 answers these with 400.
    ErrorCode.CREATE_DICOM_NOT_STRING: 400,
    ErrorCode.CREATE_DICOM_OVERRIDE_TAG: 400,
    ErrorCode.CREATE_DICOM_USE_CONTENT: 400,
    ErrorCode.CREATE_DICOM_NO_PAYLOAD: 400,
    ErrorCode.CREATE_DICOM_USE_DATA_URI_SCHEME: 400,
    ErrorCode.CREATE_DICOM_BAD_PARENT: 400,
    ErrorCode.CREATE_DICOM_PARENT_IS_INSTANCE: 400,
}


class MethodNotAllowed(OrthancError):
    """The URI exists but not with this HTTP method."""

    def __init__(self, method: str, allowed: str) -> None:
        super().__init__(
            ErrorCode.BAD_REQUEST,
            f"Method {method} is not allowed on this URI",
            headers={"Allow": allowed},
        )


class LengthRequired(OrthancError):
    """A body sent without Content-Length where the server needs one."""

    def __init__(self, details: str) -> None:
        super().__init__(ErrorCode.BAD_REQUEST, details)


# Errors whose status is not their code's (the most specific class wins).
_ERROR_STATUS: dict[type[OrthancError], int] = {
    RemoteUnprocessable: 422,
    TooLarge: 413,
    UnsupportedImage: 415,
    ServerFault: 500,
    MethodNotAllowed: 405,
    LengthRequired: 411,
    StorageRejected: 507,
    MalformedBody: 400,
}


def http_status(error: OrthancError) -> int:
    """The HTTP status Orthanc answers ``error`` with."""
    for cls in type(error).__mro__:
        if cls in _ERROR_STATUS:
            return _ERROR_STATUS[cls]
    return _CODE_STATUS.get(error.code, 500)


def error_body(error: OrthancError, method: str, uri: str) -> dict[str, object]:
    """The JSON body Orthanc sends for ``error`` (``Details`` only when there are some)."""
    status = http_status(error)
    body: dict[str, object] = {}
    if error.details:
        body["Details"] = error.details
    body.update(
        HttpError=HTTPStatus(status).phrase,
        HttpStatus=status,
        Message=error.code.text,
        Method=method,
        OrthancError=error.code.text,
        OrthancStatus=error.code.number,
        Uri=uri,
    )
    return body


def error_answer(error: OrthancError, method: str, uri: str) -> tuple[int, dict[str, object]]:
    """The status and body of ``error``'s answer."""
    return http_status(error), error_body(error, method, uri)
