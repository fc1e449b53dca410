"""Data URIs of generated images, as ``/tools/create-dicom``'s ``Content`` and the
``Replace`` values of modify take them."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from PIL import Image


def uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def png(array: np.ndarray) -> str:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return uri("image/png", out.getvalue())


def jpeg_bytes(array: np.ndarray, **options: Any) -> bytes:
    """A JPEG file of ``array`` (Pillow's encoder; ``options`` as Pillow takes them)."""
    out = io.BytesIO()
    Image.fromarray(array).save(out, "JPEG", **options)
    return out.getvalue()


def jpeg(array: np.ndarray, **options: Any) -> str:
    return uri("image/jpeg", jpeg_bytes(array, **options))
