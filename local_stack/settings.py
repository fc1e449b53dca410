"""Where the local stack listens and keeps its data, from the config file and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chalicelib.settings import load_config

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
DEFAULT_EMULATOR_PORT = 4566
RECORDING_NAME = "moto-recording.jsonl"
# Where the stream consumer keeps its position in the index table's stream (local_stack/feed.py).
STREAM_CHECKPOINT_NAME = "stream-checkpoint.json"
# The emulator's restore (local_stack/snapshot.py), named here so that the supervisor does not
# import moto (half a second) before it starts the emulator.
RESTORE_PATH = "/cirrus-emulator/restore"


class SettingsError(ValueError):
    """An environment variable has a value the stack cannot use."""


@dataclass(frozen=True)
class StackSettings:
    """Everything the supervisor needs to know to start the services."""

    rest_host: str
    http_port: int
    emulator_port: int
    dicom_port: int
    data_dir: Path

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> StackSettings:
        config = load_config()
        if config.RemoteAccessAllowed and not config.AuthenticationEnabled:
            # Orthanc only warns; here the REST API would answer anyone on the network.
            raise SettingsError(
                "RemoteAccessAllowed with AuthenticationEnabled false would open the local "
                "API to the network without credentials: set RegisteredUsers and leave "
                "AuthenticationEnabled true or absent"
            )
        data_dir = Path(environ.get("CIRRUS_DATA_DIR") or PROJECT_ROOT / "data")
        return cls(
            # Like Orthanc, listen on every interface only when remote access is allowed.
            rest_host="0.0.0.0" if config.RemoteAccessAllowed else LOOPBACK,
            http_port=_port(environ, "CIRRUS_HTTP_PORT", config.HttpPort),
            emulator_port=_port(environ, "CIRRUS_EMULATOR_PORT", DEFAULT_EMULATOR_PORT),
            dicom_port=config.DicomPort,
            data_dir=data_dir.resolve(),
        )

    @property
    def rest_url(self) -> str:
        return f"http://{LOOPBACK}:{self.http_port}"

    @property
    def emulator_url(self) -> str:
        # The emulator answers anyone without credentials, so it never leaves the loopback
        # interface, whatever RemoteAccessAllowed says about the REST API.
        return f"http://{LOOPBACK}:{self.emulator_port}"

    @property
    def stream_checkpoint_path(self) -> Path:
        return self.data_dir / STREAM_CHECKPOINT_NAME


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)
