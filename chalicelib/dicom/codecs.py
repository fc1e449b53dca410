"""imagecodecs (libjpeg-turbo and CharLS) plugged into pydicom as the JPEG and JPEG-LS pixel
decoder and encoder, and the one place where Cirrus decodes or encodes pixel data with pydicom.

Why imagecodecs: Orthanc decodes JPEG with DCMTK's IJG code, and libjpeg-turbo is the same
code base, so its 8-bit, 12-bit and lossless JPEG levels equal Orthanc's (upsampling of
subsampled colour included), where pylibjpeg-libjpeg differs by up to 3 levels and refuses 12-bit
streams DCMTK decodes (pydicom's ``JPEG-lossy.dcm`` ends its scan header with Se=0: "scan start
must be zero"). pydicom has no JPEG encoder at all and its JPEG-LS encoder needs pyjpegls;
imagecodecs brings both from maintained libraries, so Cirrus writes no codec of its own.

How: this module is a pydicom 3 pixel plugin (``is_available``, ``DECODER_DEPENDENCIES``,
``ENCODER_DEPENDENCIES`` and one function per frame, see pydicom's guides "decoder_plugins"
and "encoder_plugins"), added with ``add_plugin`` by ``register`` the first time a pixel is
decoded or encoded: importing the API never loads pydicom, numpy or imagecodecs
(tests/unit/test_cold_start.py). ``decode`` asks pydicom for the imagecodecs plugin on the JPEG
syntaxes and falls back to the other installed plugins (pylibjpeg...) if it fails; pydicom
keeps decoding everything else (RLE, JPEG 2000, native data) with its own plugins.

Plain Python without AWS; pydicom, numpy and imagecodecs are imported inside the functions.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset
    from pydicom.pixels.decoders.base import DecodeRunner
    from pydicom.pixels.encoders.base import Encoder, EncodeRunner

LABEL = "imagecodecs"
REQUIREMENT = ("imagecodecs>=2026.3.6",)

JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_EXTENDED = "1.2.840.10008.1.2.4.51"
JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JPEG_LS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81"
JPEG_LOSSY = (JPEG_BASELINE, JPEG_EXTENDED)
JPEG_LOSSLESS_SYNTAXES = (JPEG_LOSSLESS, JPEG_LOSSLESS_SV1)
JPEG_SYNTAXES = (*JPEG_LOSSY, *JPEG_LOSSLESS_SYNTAXES)
JPEG_LS_SYNTAXES = (JPEG_LS_LOSSLESS, JPEG_LS_NEAR_LOSSLESS)
SYNTAXES = (*JPEG_SYNTAXES, *JPEG_LS_SYNTAXES)

# pydicom's plugin contract: what a missing plugin needs, per transfer syntax.
DECODER_DEPENDENCIES = {uid: REQUIREMENT for uid in SYNTAXES}
ENCODER_DEPENDENCIES = {uid: REQUIREMENT for uid in SYNTAXES}

# Options of the encoder (keyword arguments of ``Encoder.iter_encode``): the IJG quality of a
# lossy JPEG (Orthanc's DicomLossyTranscodingQuality defaults to 90) and, pydicom's own
# option, the NEAR parameter of a near-lossless JPEG-LS.
QUALITY_OPTION = "jpeg_quality"
DEFAULT_QUALITY = 90
NEAR_OPTION = "jls_error"

YBR = ("YBR_FULL", "YBR_FULL_422")
# A decoding option this plugin sets once it has converted a frame of lossy YBR to RGB.
CONVERTED_OPTION = "imagecodecs_converted_to_rgb"
# The SPIFF header imagecodecs has CharLS write before a JPEG-LS frame (a SPIFF
# directory ending with this entry, then a second start of image).
_SPIFF_END = b"\xff\xe8\x00\x08\x00\x00\x00\x01\xff\xd8"

_lock = threading.Lock()
_registered = False
_encoders: dict[str, Encoder] = {}


def is_available(uid: str) -> bool:
    """Whether imagecodecs and the codec of ``uid`` are installed (pydicom's plugin check)."""
    try:
        import imagecodecs
    except ImportError:
        return False
    if uid in JPEG_LS_SYNTAXES:
        return bool(imagecodecs.JPEGLS.available)
    return uid in JPEG_SYNTAXES and bool(imagecodecs.JPEG8.available)


def register() -> None:
    """Add the plugin to pydicom's decoders of the six syntaxes and build their encoders, once
    per process (``add_plugin`` is not thread-safe: the Lambda container or the DICOM service
    may decode in several threads)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from pydicom.pixels.decoders.base import get_decoder
        from pydicom.pixels.encoders.base import Encoder, get_encoder
        from pydicom.uid import UID

        path = (__name__, "decode_frame")
        for uid in SYNTAXES:
            decoder = get_decoder(uid)
            if LABEL not in decoder.available_plugins:
                decoder.add_plugin(LABEL, path)
            try:
                encoder = get_encoder(uid)  # JPEG-LS: pydicom's own, waiting for a plugin
            except NotImplementedError:
                encoder = Encoder(UID(uid))  # JPEG: pydicom has no encoder at all
            if LABEL not in encoder.available_plugins:
                encoder.add_plugin(LABEL, (__name__, "encode_frame"))
            _encoders[uid] = encoder
        _registered = True


def decode(dataset: Dataset, index: int | None = None, *, as_rgb: bool = True) -> np.ndarray:
    """The pixels of frame ``index`` (all frames when None), as pydicom's ``pixel_array``
    gives them, decoded by imagecodecs for JPEG and JPEG-LS (by the other installed plugins if
    it fails, or for any other syntax)."""
    from pydicom.pixels import pixel_array

    register()
    check_codestreams(dataset, index)
    syntax = str(dataset.file_meta.get("TransferSyntaxUID", ""))
    if syntax in SYNTAXES:
        try:
            return pixel_array(dataset, index=index, as_rgb=as_rgb, decoding_plugin=LABEL)
        except Exception:  # another plugin may still decode the stream
            pass
    return pixel_array(dataset, index=index, as_rgb=as_rgb)


def decompress(dataset: Dataset) -> None:
    """``dataset`` decompressed in place to explicit VR little endian (YBR as RGB), keeping its
    SOP Instance UID (a lossless change, as in Orthanc); same plugins as ``decode``."""
    from pydicom.pixels import decompress as pydicom_decompress

    register()
    check_codestreams(dataset, None)
    syntax = str(dataset.file_meta.get("TransferSyntaxUID", ""))
    photometric = str(dataset.get("PhotometricInterpretation", "")).strip()
    if syntax in SYNTAXES:
        try:
            pydicom_decompress(dataset, generate_instance_uid=False, decoding_plugin=LABEL)
        except Exception:  # another plugin may still decode the stream
            pydicom_decompress(dataset, generate_instance_uid=False)
        if syntax in JPEG_LOSSY and photometric in YBR:
            # Converted by libjpeg-turbo, which pydicom is not told about (see decode_frame).
            dataset.PhotometricInterpretation = "RGB"
        return
    pydicom_decompress(dataset, generate_instance_uid=False)


def check_codestreams(dataset: Dataset, index: int | None) -> None:
    """Refuse frame ``index`` (every frame when None) of an encapsulated data set when its
    codestream declares another size than Rows, Columns and Samples per Pixel (see
    ``codestreams``): done here, before any plugin decodes, because every decoding path
    (images, numpy, MATLAB, transcoding) goes through ``decode`` or ``decompress``."""
    from pydicom.encaps import generate_frames, get_frame

    from chalicelib.dicom import codestreams

    syntax = dataset.file_meta.get("TransferSyntaxUID")
    if syntax is None or not syntax.is_encapsulated or "PixelData" not in dataset:
        return
    geometry = codestreams.Geometry(
        int(dataset.get("Rows") or 0),
        int(dataset.get("Columns") or 0),
        int(dataset.get("SamplesPerPixel") or 1),
        int(dataset.get("BitsAllocated") or 8),
    )
    count = max(int(dataset.get("NumberOfFrames") or 1), 1)
    offsets = None
    if "ExtendedOffsetTable" in dataset and "ExtendedOffsetTableLengths" in dataset:
        offsets = (dataset.ExtendedOffsetTable, dataset.ExtendedOffsetTableLengths)
    options: dict[str, Any] = {"number_of_frames": count, "extended_offsets": offsets}
    data = dataset.PixelData
    frames = (
        generate_frames(data, **options) if index is None else [get_frame(data, index, **options)]
    )
    for frame in frames:
        codestreams.check_frame(frame, str(syntax), geometry)


def encoder(uid: str) -> Encoder:
    """pydicom's ``Encoder`` of ``uid`` (one of the six syntaxes) with this plugin added."""
    register()
    return _encoders[uid]


# -- the plugin's functions, called by pydicom for each frame ---------------------------------


def decode_frame(src: bytes, runner: DecodeRunner) -> bytes:
    """One JPEG or JPEG-LS frame decoded, in the layout pydicom expects: samples interleaved,
    little endian, in a container of Bits Allocated (widened if the stream is narrower); with
    libjpeg-turbo's inverse DCT, upsampling and colour conversion, the levels equal DCMTK's."""
    import imagecodecs
    import numpy as np

    syntax = runner.transfer_syntax
    if syntax in JPEG_LS_SYNTAXES:
        array = imagecodecs.jpegls_decode(src)
    else:
        array = imagecodecs.jpeg8_decode(src, **_decoding_colour(runner))
    if array.ndim == 3:
        runner.set_option("planar_configuration", 0)
    bits = array.dtype.itemsize * 8
    if bits < runner.bits_allocated:
        array = array.astype(f"<u{runner.bits_allocated // 8}")
    elif bits > runner.bits_allocated:
        runner.set_option("bits_allocated", bits)
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()


def _decoding_colour(runner: DecodeRunner) -> dict[str, str]:
    """libjpeg-turbo's colour spaces for a 3-sample frame. The Photometric Interpretation
    decides, not the stream's JFIF or Adobe markers, as in DCMTK: RGB is never converted; lossy
    YBR is converted to RGB by libjpeg-turbo, with the integer arithmetic DCMTK's IJG code uses
    (pydicom's floating-point conversion differs by one level on a few pixels), and pydicom is
    told, through ``as_rgb``, that there is nothing left to convert. The Photometric
    Interpretation itself is left as it is: changed to RGB, pydicom would re-guess the next
    frame's colour space from the JFIF marker (and warn). Lossless YBR samples are left for
    pydicom to convert."""
    if runner.samples_per_pixel != 3:
        return {}
    if str(runner.photometric_interpretation) not in YBR:
        return {"colorspace": "RGB", "outcolorspace": "RGB"}
    if runner.transfer_syntax in JPEG_LOSSY and runner.get_option("as_rgb", True):
        runner.set_option("as_rgb", False)
        runner.set_option(CONVERTED_OPTION, True)
        return {"colorspace": "YCbCr", "outcolorspace": "RGB"}
    if runner.get_option(CONVERTED_OPTION, False):  # a later frame of the same data
        return {"colorspace": "YCbCr", "outcolorspace": "RGB"}
    return {"colorspace": "YCbCr", "outcolorspace": "YCbCr"}


def encode_frame(src: bytes, runner: EncodeRunner) -> bytes:
    """One frame encoded. ``src`` holds the samples interleaved, in 1 byte when Bits Stored is
    at most 8, else 2 (pydicom's contract), the way ``jpeg_transcoding`` prepared them:

    - lossy JPEG (8 or 12 bits): unsigned samples below 2**Bits Stored; a colour frame is RGB
      and written as YCbCr 4:2:2 when the Photometric Interpretation is YBR_FULL_422;
    - lossless JPEG, first-order prediction: unsigned samples at Bits Stored precision (at
      least 2, libjpeg-turbo's minimum); signed ones sign-extended to Bits Allocated, as DCMTK
      writes them and reads them back (it does not sign-extend a narrower precision); colour
      as RGB only (libjpeg-turbo does not keep YCbCr samples losslessly);
    - JPEG-LS: CharLS writes 8 or 16-bit samples (imagecodecs has no other precision), so
      signed samples are given sign-extended to that width; NEAR from ``jls_error``. The SPIFF
      header CharLS adds is removed: DICOM streams are plain JPEG-LS interchange format.
    """
    import imagecodecs
    import numpy as np

    itemsize = 1 if runner.bits_stored <= 8 else 2
    shape: tuple[int, ...] = (runner.rows, runner.columns)
    if runner.samples_per_pixel > 1:
        shape += (runner.samples_per_pixel,)
    array = np.frombuffer(src, dtype=f"<u{itemsize}").reshape(shape).astype(f"=u{itemsize}")
    syntax = runner.transfer_syntax
    photometric = str(runner.photometric_interpretation)
    if syntax in JPEG_LS_SYNTAXES:
        near = int(runner.get_option(NEAR_OPTION, 0) or 0) if syntax == JPEG_LS_NEAR_LOSSLESS else 0
        return _without_spiff(imagecodecs.jpegls_encode(np.ascontiguousarray(array), level=near))
    if syntax in JPEG_LOSSLESS_SYNTAXES:
        if array.ndim == 3 and photometric != "RGB":
            raise ValueError(f"Lossless JPEG of {photometric} samples is not supported")
        if runner.pixel_representation == 1:
            # As DCMTK writes (and reads) signed samples: sign-extended to Bits Allocated.
            width = max(runner.bits_allocated // 8, itemsize)
            signed = array.view(f"=i{itemsize}").astype(f"=i{width}")
            array, precision = signed.view(f"=u{width}"), width * 8
        else:
            precision = max(runner.bits_stored, 2)
            array = array & ((1 << precision) - 1)
        return bytes(
            imagecodecs.jpeg8_encode(
                np.ascontiguousarray(array),
                lossless=True,
                predictor=1,
                bitspersample=precision,
                **({"colorspace": "RGB", "outcolorspace": "RGB"} if array.ndim == 3 else {}),
            )
        )
    precision = 8 if runner.bits_stored <= 8 else 12
    options: dict[str, Any] = {"level": int(runner.get_option(QUALITY_OPTION, DEFAULT_QUALITY))}
    if precision == 12:
        options["bitspersample"] = 12
        array = np.minimum(array, 4095)  # libjpeg-turbo must never see a 13th bit
    if array.ndim == 3:
        options["colorspace"] = "RGB"
        if photometric == "RGB":
            options["outcolorspace"] = "RGB"
        else:
            options["outcolorspace"] = "YCbCr"
            options["subsampling"] = "422" if photometric == "YBR_FULL_422" else "444"
    return bytes(imagecodecs.jpeg8_encode(np.ascontiguousarray(array), **options))


def _without_spiff(stream: bytes) -> bytes:
    if stream[2:4] == b"\xff\xe8" and stream[6:11] == b"SPIFF":
        end = stream.find(_SPIFF_END)
        if end > 0:
            return stream[end + len(_SPIFF_END) - 2 :]
    return stream
