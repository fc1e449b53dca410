"""Orthanc's error vocabulary, raised by services and turned into HTTP answers in one place.

Orthanc answers errors with a JSON body naming both the HTTP status and its own error code
(``OrthancStatus``/``OrthancError``); clients such as pyorthanc read those fields, so Cirrus
raises the same codes with the same texts.
"""

from __future__ import annotations

from enum import Enum
from http import HTTPStatus


class ErrorCode(Enum):
    """Orthanc's error codes: (number, text, default HTTP status)."""

    INTERNAL_ERROR = (-1, "Internal error", 500)
    NOT_IMPLEMENTED = (2, "Not implemented yet", 501)
    PARAMETER_OUT_OF_RANGE = (3, "Parameter out of range", 400)
    BAD_PARAMETER_TYPE = (5, "Bad type for a parameter", 400)
    BAD_SEQUENCE_OF_CALLS = (6, "Bad sequence of calls", 500)
    INEXISTENT_ITEM = (7, "Accessing an inexistent item", 404)
    BAD_REQUEST = (8, "Bad request", 400)
    NETWORK_PROTOCOL = (9, "Error in the network protocol", 500)
    URI_SYNTAX = (12, "Badly formatted URI", 400)
    BAD_FILE_FORMAT = (15, "Bad file format", 400)
    TIMEOUT = (16, "Timeout", 504)
    UNKNOWN_RESOURCE = (17, "Unknown resource", 404)
    INEXISTENT_TAG = (21, "Inexistent tag", 404)
    # Orthanc answers these three with 500; Cirrus with 400 (a property of the data, not a fault).
    INCOMPATIBLE_IMAGE_FORMAT = (23, "Incompatible format of the images", 400)
    INCOMPATIBLE_IMAGE_SIZE = (24, "Incompatible size of the images", 400)
    UNKNOWN_DICOM_TAG = (27, "Unknown DICOM tag", 400)
    BAD_JSON = (28, "Cannot parse a JSON document", 400)
    UNAUTHORIZED = (29, "Bad credentials were provided to an HTTP request", 401)
    NOT_ACCEPTABLE = (
        34,
        "Cannot send a response which is acceptable according to the Accept HTTP header",
        406,
    )
    DATABASE_UNAVAILABLE = (36, "The database is currently not available", 503)
    CANCELED_JOB = (37, "This job was canceled", 500)
    FORBIDDEN_ACCESS = (45, "Access to a resource is forbidden", 403)
    CANNOT_ORDER_SLICES = (2040, "Unable to order the slices of the series", 400)

    @classmethod
    def of(cls, number: int) -> ErrorCode:
        """The code of an error number (INTERNAL_ERROR for numbers Cirrus does not use)."""
        for code in cls:
            if code.number == number:
                return code
        return cls.INTERNAL_ERROR

    @property
    def number(self) -> int:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]

    @property
    def http_status(self) -> int:
        return self.value[2]


def error_text(number: int) -> str:
    """The text of an error number (``ErrorDescription`` of a job); 0 is success."""
    return "Success" if number == 0 else ErrorCode.of(number).text


class OrthancError(Exception):
    """An error to report to the client the way Orthanc would."""

    def __init__(
        self,
        code: ErrorCode,
        details: str | None = None,
        http_status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(details or code.text)
        self.code = code
        self.details = details
        self.http_status = http_status or code.http_status
        self.headers = headers or {}

    def body(self, method: str, uri: str) -> dict[str, object]:
        """The JSON body Orthanc sends for this error."""
        body: dict[str, object] = {}
        if self.details:
            body["Details"] = self.details
        body.update(
            HttpError=HTTPStatus(self.http_status).phrase,
            HttpStatus=self.http_status,
            Message=self.code.text,
            Method=method,
            OrthancError=self.code.text,
            OrthancStatus=self.code.number,
            Uri=uri,
        )
        return body


def unknown_resource(details: str | None = None) -> OrthancError:
    return OrthancError(ErrorCode.UNKNOWN_RESOURCE, details)


def bad_request(details: str) -> OrthancError:
    return OrthancError(ErrorCode.BAD_REQUEST, details)


def bad_file(details: str) -> OrthancError:
    return OrthancError(ErrorCode.BAD_FILE_FORMAT, details)
