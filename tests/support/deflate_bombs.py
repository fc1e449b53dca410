"""Deflated Explicit VR Little Endian files (1.2.840.10008.1.2.1.99), honest or bombs: a small
CT whose data set ends with Data Set Trailing Padding (FFFC,FFFC) of as many zero bytes as
asked, deflated as it is generated, so the test never holds the inflated data set (zeros
deflate about 1000:1: 200 MB inflated is a file of about 200 KB)."""

from __future__ import annotations

import io
import struct
import zlib

import pydicom
from pydicom.filewriter import write_file_meta_info
from pydicom.uid import DeflatedExplicitVRLittleEndian

from tests.support.dicom_factory import make_instance

_ZEROS = bytes(1 << 20)


def deflated_file(padding: int, **tags: object) -> bytes:
    """A CT of ``make_instance(**tags)``, deflated, inflating to ``padding`` bytes more than
    its own data set."""
    plain = make_instance(**tags)
    meta = pydicom.dcmread(io.BytesIO(plain), stop_before_pixels=True).file_meta
    data_set = plain[132 + 12 + int(meta.FileMetaInformationGroupLength) :]
    meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    head = io.BytesIO()
    head.write(bytes(128) + b"DICM")
    write_file_meta_info(head, meta, enforce_standard=True)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = [deflater.compress(data_set)]
    if padding:
        body.append(deflater.compress(b"\xfc\xff\xfc\xffOB\x00\x00" + struct.pack("<I", padding)))
        for start in range(0, padding, len(_ZEROS)):
            body.append(deflater.compress(_ZEROS[: min(len(_ZEROS), padding - start)]))
    body.append(deflater.flush())
    return head.getvalue() + b"".join(body)
