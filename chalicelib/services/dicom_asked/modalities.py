"""The DICOM modalities Cirrus knows (``DicomModalities``, changed by ``/modalities/{id}``)
and what the REST API does with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.remotes.modality import Modality, ModalityError, parse_modality
from chalicelib.services.shared.registry import RemoteKind, RemoteRegistry
from chalicelib.storage.remotes import RemoteStore

if TYPE_CHECKING:
    from chalicelib.dicom_client.client import DicomClient


def _refused(exc: ValueError) -> OrthancError:
    out_of_range = isinstance(exc, ModalityError) and exc.out_of_range
    code = ErrorCode.PARAMETER_OUT_OF_RANGE if out_of_range else ErrorCode.BAD_FILE_FORMAT
    return OrthancError(code, str(exc))


MODALITIES: RemoteKind[Modality] = RemoteKind(
    parse=parse_modality,
    dump=Modality.to_json,
    invalid=ModalityError,
    refused=_refused,
    unknown=lambda name: OrthancError(
        ErrorCode.INEXISTENT_ITEM, f"No modality with symbolic name: {name}"
    ),
    unknown_on_delete=lambda name: OrthancError(
        ErrorCode.INEXISTENT_ITEM, f"Unknown DICOM modality with symbolic name: {name}"
    ),
)


class ModalityService(RemoteRegistry[Modality]):
    def __init__(
        self, configured: Mapping[str, Any], store: RemoteStore, client: DicomClient
    ) -> None:
        super().__init__(MODALITIES, configured, store)
        self._client = client

    @property
    def local_aet(self) -> str:
        """The AE title Cirrus calls as by default (``DicomAet``)."""
        return self._client.local_aet

    def echo(self, modality: Modality, timeout: int | None = None) -> None:
        """C-ECHO ``modality`` (RemoteError if it does not answer success)."""
        self._client.echo(modality, timeout)

    def definition(self, body: Any) -> Modality:
        """A modality given in a request body (``/tools/dicom-echo``), not stored."""
        try:
            return parse_modality("request", body)
        except ModalityError as exc:
            raise _refused(exc) from exc
