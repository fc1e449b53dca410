"""The settings ``/tools/*`` reads and changes at run time, with Orthanc's checks and answers:
``default-encoding``, ``accepted-transfer-syntaxes``, ``unknown-sop-class-accepted`` and
``metrics``. Values are kept for the whole deployment by ``RuntimeSettings``; the
configuration file's options of the same names are where they start.
"""

from __future__ import annotations

from typing import Any

from chalicelib.services.shared.runtime_settings import RuntimeSettings
from chalicelib.services.system import logs, transfer_syntaxes
from chalicelib.services.system.encodings import parse_encoding
from chalicelib.settings import Config

DEFAULT_ENCODING = "DefaultEncoding"
ACCEPTED_TRANSFER_SYNTAXES = "AcceptedTransferSyntaxes"
UNKNOWN_SOP_CLASS_ACCEPTED = "UnknownSopClassAccepted"
METRICS_ENABLED = "MetricsEnabled"


def defaults(config: Config) -> dict[str, Any]:
    """Every runtime setting's starting value, from the configuration file (which
    ``parse_config`` has checked)."""
    return {
        DEFAULT_ENCODING: parse_encoding(config.DefaultEncoding),
        ACCEPTED_TRANSFER_SYNTAXES: transfer_syntaxes.resolve(config.AcceptedTransferSyntaxes),
        UNKNOWN_SOP_CLASS_ACCEPTED: config.UnknownSopClassAccepted,
        METRICS_ENABLED: config.MetricsEnabled,
        **dict.fromkeys(logs.SETTINGS, logs.DEFAULT),
    }


class SystemSettings:
    def __init__(self, settings: RuntimeSettings) -> None:
        self._settings = settings

    def default_encoding(self) -> str:
        return str(self._settings.get(DEFAULT_ENCODING))

    def set_default_encoding(self, text: str) -> str:
        encoding = parse_encoding(text)
        self._settings.put({DEFAULT_ENCODING: encoding})
        return encoding

    def accepted_transfer_syntaxes(self) -> list[str]:
        return list(self._settings.get(ACCEPTED_TRANSFER_SYNTAXES))

    def set_accepted_transfer_syntaxes(self, body: bytes) -> list[str]:
        syntaxes = transfer_syntaxes.read_body(body)
        self._settings.put({ACCEPTED_TRANSFER_SYNTAXES: syntaxes})
        return syntaxes

    def unknown_sop_class_accepted(self) -> bool:
        return bool(self._settings.get(UNKNOWN_SOP_CLASS_ACCEPTED))

    def set_unknown_sop_class_accepted(self, accepted: bool) -> None:
        self._settings.put({UNKNOWN_SOP_CLASS_ACCEPTED: accepted})

    def metrics_enabled(self) -> bool:
        return bool(self._settings.get(METRICS_ENABLED))

    def set_metrics_enabled(self, enabled: bool) -> None:
        self._settings.put({METRICS_ENABLED: enabled})
