"""What a DICOM modality is: Orthanc's two ways of writing one, checked and normalized.

``DicomModalities`` entries (configuration file or ``PUT /modalities/{id}``) come in a short
form, ``["AET", "host", 104]`` (optionally with a manufacturer), and a long form, an object
with ``AET``, ``Host``, ``Port`` and options. Both become one :class:`Modality`. Plain
Python: the DICOM client lives in ``chalicelib.dicom_client.client``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

LOG = logging.getLogger(__name__)

# Long-form option -> Modality field, for the permissions (all true by default).
PERMISSIONS = {
    "AllowEcho": "allow_echo",
    "AllowEventReport": "allow_event_report",
    "AllowFind": "allow_find",
    "AllowFindWorklist": "allow_find_worklist",
    "AllowGet": "allow_get",
    "AllowMove": "allow_move",
    "AllowNAction": "allow_n_action",
    "AllowStore": "allow_store",
    "AllowTranscoding": "allow_transcoding",
}
_OTHER_KEYS = {
    "AET",
    "Host",
    "Port",
    "Manufacturer",
    "UseDicomTls",
    "LocalAet",
    "Timeout",
    "RetrieveMethod",
    "AllowStorageCommitment",
}
RETRIEVE_METHODS = ("C-MOVE", "C-GET")
# The manufacturers Orthanc 1.10.1 accepts, and what it records for each (it maps the older
# names it no longer distinguishes onto the generic behaviours).
MANUFACTURERS = {
    "Generic": "Generic",
    "GenericNoWildcardInDates": "GenericNoWildcardInDates",
    "GenericNoUniversalWildcard": "GenericNoUniversalWildcard",
    "Vitrea": "Vitrea",
    "GE": "GE",
    "AgfaImpax": "GenericNoWildcardInDates",
    "SyngoVia": "GenericNoWildcardInDates",
    "EFilm2": "Generic",
    "ClearCanvas": "Generic",
    "Dcm4Chee": "Generic",
    "MedInria": "Generic",
}


class ModalityError(ValueError):
    """A modality definition that cannot be used; ``out_of_range`` for a bad port number."""

    def __init__(self, message: str, out_of_range: bool = False) -> None:
        super().__init__(message)
        self.out_of_range = out_of_range


@dataclass(frozen=True)
class Modality:
    name: str
    aet: str
    host: str
    port: int
    manufacturer: str = "Generic"
    allow_echo: bool = True
    allow_event_report: bool = True
    allow_find: bool = True
    allow_find_worklist: bool = True
    allow_get: bool = True
    allow_move: bool = True
    allow_n_action: bool = True
    allow_store: bool = True
    allow_transcoding: bool = True
    use_dicom_tls: bool = False
    local_aet: str = ""
    # Seconds; 0 means the global DicomScuTimeout.
    timeout: int = 0
    # "" means the global DicomDefaultRetrieveMethod.
    retrieve_method: str = ""

    def to_json(self) -> dict[str, Any]:
        """The long form: what is stored, and (with Orthanc's keys) what is shown."""
        fields = asdict(self)
        answer: dict[str, Any] = {
            "AET": self.aet,
            "Host": self.host,
            "Port": self.port,
            "Manufacturer": self.manufacturer,
            "LocalAet": self.local_aet,
            "Timeout": self.timeout,
            "UseDicomTls": self.use_dicom_tls,
        }
        answer.update({key: fields[field] for key, field in PERMISSIONS.items()})
        if self.retrieve_method:
            answer["RetrieveMethod"] = self.retrieve_method
        return answer


def parse_modality(name: str, value: Any) -> Modality:
    """A :class:`Modality` from either form; :class:`ModalityError` says what is wrong."""
    if not name or "/" in name:
        raise ModalityError(f"Bad modality name {name!r}")
    if isinstance(value, list):
        return _short_form(name, value)
    if isinstance(value, dict):
        return _long_form(name, value)
    raise ModalityError(f"Modality {name!r} must be a list [AET, Host, Port] or an object")


def _short_form(name: str, value: list[Any]) -> Modality:
    if len(value) not in (3, 4):
        raise ModalityError(
            f"Modality {name!r}: the short form is [AET, Host, Port(, Manufacturer)]"
        )
    manufacturer = value[3] if len(value) == 4 else "Generic"
    return _checked(
        name, {"AET": value[0], "Host": value[1], "Port": value[2], "Manufacturer": manufacturer}
    )


def _long_form(name: str, value: dict[str, Any]) -> Modality:
    for key in sorted(set(value) - _OTHER_KEYS - set(PERMISSIONS)):
        LOG.info("Modality %r: option %r is not used by Cirrus; ignored", name, key)
    return _checked(name, value)


def _checked(name: str, value: dict[str, Any]) -> Modality:
    strings = {}
    for key, default in (
        ("AET", None),
        ("Host", None),
        ("Manufacturer", "Generic"),
        ("LocalAet", ""),
    ):
        text = value.get(key, default)
        if not isinstance(text, str):
            raise ModalityError(f"String value expected in field: {key}")
        strings[key] = text
    if not strings["AET"] or not strings["Host"]:
        raise ModalityError(f"Modality {name!r}: AET and Host must not be empty")
    manufacturer = MANUFACTURERS.get(strings["Manufacturer"])
    if manufacturer is None:
        raise ModalityError(
            f'Unknown modality manufacturer: "{strings["Manufacturer"]}"', out_of_range=True
        )
    options: dict[str, Any] = {}
    for key, field in PERMISSIONS.items():
        flag = value.get(key, True)
        if not isinstance(flag, bool):
            raise ModalityError(f"Boolean value expected in field: {key}")
        options[field] = flag
    # Orthanc's shorthand for both storage commitment permissions (it is not shown back).
    commitment = value.get("AllowStorageCommitment")
    if commitment is not None:
        if not isinstance(commitment, bool):
            raise ModalityError("Boolean value expected in field: AllowStorageCommitment")
        options["allow_n_action"] = options["allow_event_report"] = commitment
    tls = value.get("UseDicomTls", False)
    if not isinstance(tls, bool):
        raise ModalityError("Boolean value expected in field: UseDicomTls")
    timeout = value.get("Timeout", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise ModalityError("Timeout must be a number of seconds")
    method = value.get("RetrieveMethod", "")
    if method not in ("", *RETRIEVE_METHODS):
        raise ModalityError(f"RetrieveMethod must be C-MOVE or C-GET, not {method!r}")
    return Modality(
        name,
        strings["AET"],
        strings["Host"],
        _port(value.get("Port")),
        manufacturer=manufacturer,
        use_dicom_tls=tls,
        local_aet=strings["LocalAet"],
        timeout=timeout,
        retrieve_method=method,
        **options,
    )


def _port(value: Any) -> int:
    """A TCP port; Orthanc also accepts it written as a string (ASCII digits: ``str.isdigit``
    also accepts ``²``, which ``int`` refuses)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModalityError("Integer value expected in field: Port")
    if not 1 <= value <= 65534:
        raise ModalityError(
            f"A TCP port number must be in range [1..65534], but found: {value}", out_of_range=True
        )
    return value
