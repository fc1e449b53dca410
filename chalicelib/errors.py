"""Orthanc's error vocabulary: what went wrong, raised by every layer in Orthanc's terms.

Orthanc answers errors with a JSON body naming its own error code (``OrthancStatus``/
``OrthancError``); clients such as pyorthanc read those fields, so Cirrus raises the same codes
with the same texts. What HTTP status each error answers is decided in one place, the API's
error map (``chalicelib/api/error_map.py``): these classes say what happened, not how HTTP
reports it. A few facts are their own subclass because clients see Orthanc answer them with
another status than their code's usual one (a failed C-FIND is a 422, a body too large a 413).
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(Enum):
    """Orthanc's error codes: (number, text)."""

    INTERNAL_ERROR = (-1, "Internal error")
    NOT_IMPLEMENTED = (2, "Not implemented yet")
    PARAMETER_OUT_OF_RANGE = (3, "Parameter out of range")
    BAD_PARAMETER_TYPE = (5, "Bad type for a parameter")
    BAD_SEQUENCE_OF_CALLS = (6, "Bad sequence of calls")
    INEXISTENT_ITEM = (7, "Accessing an inexistent item")
    BAD_REQUEST = (8, "Bad request")
    NETWORK_PROTOCOL = (9, "Error in the network protocol")
    URI_SYNTAX = (12, "Badly formatted URI")
    BAD_FILE_FORMAT = (15, "Bad file format")
    TIMEOUT = (16, "Timeout")
    UNKNOWN_RESOURCE = (17, "Unknown resource")
    FULL_STORAGE = (19, "The file storage is full")
    INEXISTENT_TAG = (21, "Inexistent tag")
    INCOMPATIBLE_IMAGE_FORMAT = (23, "Incompatible format of the images")
    INCOMPATIBLE_IMAGE_SIZE = (24, "Incompatible size of the images")
    UNKNOWN_DICOM_TAG = (27, "Unknown DICOM tag")
    BAD_JSON = (28, "Cannot parse a JSON document")
    UNAUTHORIZED = (29, "Bad credentials were provided to an HTTP request")
    NOT_ACCEPTABLE = (
        34,
        "Cannot send a response which is acceptable according to the Accept HTTP header",
    )
    DATABASE_UNAVAILABLE = (
        36,
        "The database is currently not available (probably a transient situation)",
    )
    CANCELED_JOB = (37, "This job was canceled")
    REVISION = (
        43,
        "A bad revision number was provided, which might indicate conflict between multiple "
        "writers",
    )
    FORBIDDEN_ACCESS = (45, "Access to a resource is forbidden")
    CREATE_DICOM_NOT_STRING = (
        2019,
        "Only string values are supported when creating DICOM instances",
    )
    CREATE_DICOM_OVERRIDE_TAG = (2020, "Trying to override a value inherited from a parent module")
    CREATE_DICOM_USE_CONTENT = (2021, 'Use "Content" to inject an image into a new DICOM instance')
    CREATE_DICOM_NO_PAYLOAD = (2022, "No payload is present for one instance in the series")
    CREATE_DICOM_USE_DATA_URI_SCHEME = (
        2023,
        "The payload of the DICOM instance must be specified according to Data URI scheme",
    )
    CREATE_DICOM_BAD_PARENT = (
        2024,
        "Trying to attach a new DICOM instance to an inexistent resource",
    )
    CREATE_DICOM_PARENT_IS_INSTANCE = (
        2025,
        "Trying to attach a new DICOM instance to an instance (must be a series, study or patient)",
    )
    CANNOT_ORDER_SLICES = (2040, "Unable to order the slices of the series")
    UNSUPPORTED_MEDIA_TYPE = (3000, "Unsupported media type")

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


def error_text(number: int) -> str:
    """The text of an error number (``ErrorDescription`` of a job); 0 is success."""
    return "Success" if number == 0 else ErrorCode.of(number).text


class OrthancError(Exception):
    """An error to report to the client the way Orthanc would: its code and details."""

    def __init__(
        self, code: ErrorCode, details: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(details or code.text)
        self.code = code
        self.details = details
        # Headers the answer must carry (WWW-Authenticate, Allow...).
        self.headers = headers or {}


class TooLarge(OrthancError):
    """A body, or what it expands to, exceeds a limit of the server."""

    def __init__(self, details: str) -> None:
        super().__init__(ErrorCode.BAD_REQUEST, details)


class UnsupportedImage(OrthancError):
    """Pixel data Cirrus cannot decode or render (a syntax without a codec, a corrupt frame)."""

    def __init__(self, details: str) -> None:
        super().__init__(ErrorCode.BAD_FILE_FORMAT, details)


class StorageRejected(OrthancError):
    """``MaximumStorageMode: Reject`` refusing a file over a limit: Orthanc (1.11.3 and
    later) answers this one 507 where its other FullStorage errors are 500s."""

    def __init__(self, details: str) -> None:
        super().__init__(ErrorCode.FULL_STORAGE, details)


class MalformedBody(OrthancError):
    """A request body (or its headers) that breaks its protocol, e.g. a cut multipart form:
    Orthanc's ``NetworkProtocol`` error, which Orthanc answers with 500 and Cirrus with 400,
    since the fault is the client's (docs/compatibility.md, "HTTP conventions")."""

    def __init__(self, details: str | None = None) -> None:
        super().__init__(ErrorCode.NETWORK_PROTOCOL, details)


class ServerFault(OrthancError):
    """An error Orthanc 1.10.1 reports as a fault of the server whatever its code (an unknown
    tag in a query to a modality): Cirrus reports it the same way there."""


class RemoteError(OrthancError):
    """A remote server (an Orthanc peer, a DICOM modality) could not be reached, refused, or
    answered a failure; the details say which and why, in Orthanc's words."""

    def __init__(self, details: str) -> None:
        super().__init__(ErrorCode.NETWORK_PROTOCOL, details)


class RemoteUnprocessable(RemoteError):
    """The modality answered that it cannot process the request (DIMSE status 0xC000)."""


# The errors a job record can name (``Job.error_type``), so that a job's failure can be raised
# again as the error it was.
_RECORDED = {cls.__name__: cls for cls in (RemoteError, RemoteUnprocessable)}


def recorded_type(error: OrthancError) -> str:
    """The name a job record keeps for ``error``'s class ("" for a plain OrthancError)."""
    name = type(error).__name__
    return name if name in _RECORDED else ""


def recorded_error(number: int, details: str, type_name: str = "") -> OrthancError:
    """The error a job record describes (its ErrorCode, ErrorDetails and error type)."""
    cls = _RECORDED.get(type_name)
    if cls is not None:
        return cls(details)
    return OrthancError(ErrorCode.of(number), details or None)


def write_conflicts() -> OrthancError:
    """A write that kept losing races, or kept being throttled inside its transaction
    (DynamoDB cancels it with a ThrottlingError reason, which the SDK does not retry): the
    database is unavailable for now (503), and the client may retry."""
    return OrthancError(
        ErrorCode.DATABASE_UNAVAILABLE, "Too many concurrent writes to this resource"
    )


def unknown_resource(details: str | None = None) -> OrthancError:
    return OrthancError(ErrorCode.UNKNOWN_RESOURCE, details)


def bad_request(details: str) -> OrthancError:
    return OrthancError(ErrorCode.BAD_REQUEST, details)


def bad_file(details: str) -> OrthancError:
    return OrthancError(ErrorCode.BAD_FILE_FORMAT, details)
