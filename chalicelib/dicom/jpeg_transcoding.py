"""Transcoding to JPEG (baseline .50, extended .51, lossless .57 and .70) and JPEG-LS (.80,
.81): which files Orthanc 1.10.1 transcodes, and how the data set changes.

Orthanc transcodes with DCMTK and keeps a file as stored when DCMTK refuses it; Cirrus makes
the same decision (measured against Orthanc 1.10.1 over the bit depths, signs and photometric
interpretations, tests/interop/test_jpeg_codecs_vs_orthanc.py):

- never for what DCMTK cannot decode (JPEG 2000, HTJ2K, video...), for other than 8 or
  16 bits allocated (1-bit, 32-bit), or other than 1 or 3 samples;
- baseline: 8 bits stored; extended: 2 to 12 bits stored (written at 8 or 12 bits);
- lossless JPEG: 1 to 16 bits stored; JPEG-LS lossless: 6 to 16; near-lossless (NEAR=2):
  6 to 16, unsigned only, not PALETTE COLOR;
- neither lossless JPEG nor JPEG-LS for uncompressed YBR_FULL_422.

How the data set changes, as DCMTK changes it: lossy JPEG has unsigned 8 or 12-bit samples
only, so signed grey levels are shifted up by 2**(BitsStored-1) and narrower ones stretched to
the full 8 or 12 bits, with a rescale slope and intercept that give the modality values back;
colour (PALETTE COLOR through its table) becomes YBR_FULL_422; pixels decoded from YCbCr JPEG
become RGB. A lossy result is a new, derived instance: new SOP Instance UID, ImageType DERIVED,
LossyImageCompression 01 with its ratio and method, and the original referenced in
SourceImageSequence. Lossless results keep the SOP Instance UID. Differences from DCMTK, never
in the decision: imagecodecs writes JPEG-LS at 8 or 16 bits precision (near-lossless files
declare that many bits stored, so the NEAR error cannot overflow them); an uncompressed
YBR_FULL image becomes RGB in lossless JPEG (DCMTK keeps YBR_FULL, which libjpeg-turbo cannot
store losslessly); RescaleType is not added (DCMTK adds "HU").

Plain Python without AWS; numpy and pydicom are imported inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.dicom import codecs

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

TARGETS = codecs.SYNTAXES
LOSSY = (codecs.JPEG_BASELINE, codecs.JPEG_EXTENDED, codecs.JPEG_LS_NEAR_LOSSLESS)
NEAR = 2  # DCMTK's default NEAR for near-lossless JPEG-LS

# What DCMTK (Orthanc 1.10.1 without plugins) decodes: the native syntaxes, JPEG, JPEG-LS, RLE.
NATIVE = (
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.2",
)
ORTHANC_DECODES = (*NATIVE, *codecs.SYNTAXES, "1.2.840.10008.1.2.5")

# Elements of a palette (descriptors, tables, segmented tables, UID), gone once it is applied.
PALETTE_TAGS = (
    0x00281101,
    0x00281102,
    0x00281103,
    0x00281199,
    0x00281201,
    0x00281202,
    0x00281203,
    0x00281221,
    0x00281222,
    0x00281223,
)
# Smallest/Largest Image/Series Pixel Value: US or SS by Pixel Representation, stale once the
# pixels are shifted or replaced by colour.
EXTREMA_TAGS = (0x00280106, 0x00280107, 0x00280108, 0x00280109)
METHOD = {
    codecs.JPEG_BASELINE: ("ISO_10918_1", "JPEG baseline"),
    codecs.JPEG_EXTENDED: ("ISO_10918_1", "JPEG extended"),
    codecs.JPEG_LS_NEAR_LOSSLESS: ("ISO_14495_1", f"JPEG-LS near-lossless (NEAR={NEAR})"),
}


def orthanc_transcodes(dataset: Dataset, target: str) -> bool:
    """Whether Orthanc 1.10.1 transcodes this image to ``target`` (else it keeps the file)."""
    try:
        allocated = int(dataset.BitsAllocated)
        stored = int(dataset.get("BitsStored") or allocated)
        signed = int(dataset.get("PixelRepresentation") or 0) == 1
        samples = int(dataset.get("SamplesPerPixel") or 1)
    except (AttributeError, TypeError, ValueError):
        return False
    syntax = str(dataset.file_meta.get("TransferSyntaxUID", ""))
    photometric = str(dataset.get("PhotometricInterpretation", "")).strip().upper()
    if syntax not in ORTHANC_DECODES or allocated not in (8, 16) or samples not in (1, 3):
        return False
    if target == codecs.JPEG_BASELINE:
        return stored == 8
    if target == codecs.JPEG_EXTENDED:
        return 2 <= stored <= 12
    if photometric == "YBR_FULL_422" and syntax in NATIVE:
        return False
    if target in codecs.JPEG_LOSSLESS_SYNTAXES:
        return 1 <= stored <= 16
    if target == codecs.JPEG_LS_LOSSLESS:
        return 6 <= stored <= 16
    return 6 <= stored <= 16 and not signed and photometric != "PALETTE COLOR"


def rewrite(dataset: Dataset, target: str) -> None:
    """``dataset`` transcoded in place to ``target`` (``orthanc_transcodes`` must hold)."""
    from pydicom.uid import UID

    syntax = str(dataset.file_meta.TransferSyntaxUID)
    # DCMTK's JPEG decoders give RGB and JPEG is written from RGB (libjpeg-turbo cannot keep
    # YCbCr samples in a lossless stream); JPEG-LS keeps YBR samples unchanged, as DCMTK.
    as_rgb = target in codecs.JPEG_SYNTAXES or syntax in codecs.JPEG_SYNTAXES
    frames = max(int(dataset.get("NumberOfFrames") or 1), 1)
    array = codecs.decode(dataset, None, as_rgb=as_rgb)
    array = array.astype(array.dtype.newbyteorder("="), copy=False)  # big endian files
    if frames == 1:
        array = array[None]
    photometric = str(dataset.PhotometricInterpretation).strip().upper()
    if as_rgb and photometric in codecs.YBR:
        photometric = "RGB"
    if target in codecs.JPEG_LOSSY:
        array, layout = _lossy_jpeg(dataset, array, photometric)
    elif target == codecs.JPEG_LS_NEAR_LOSSLESS:
        array, layout = _near_lossless(dataset, array, photometric)
    else:
        array, layout = _lossless(dataset, array, photometric, target)
    options: dict[str, Any] = {
        "rows": int(dataset.Rows),
        "columns": int(dataset.Columns),
        "number_of_frames": frames,
        "samples_per_pixel": 3 if array.ndim == 4 else 1,
        "planar_configuration": 0,
        **layout,
    }
    if target == codecs.JPEG_LS_NEAR_LOSSLESS:
        options[codecs.NEAR_OPTION] = NEAR
    encoded = list(
        codecs.encoder(target).iter_encode(
            array[0] if frames == 1 else array,
            encoding_plugin=codecs.LABEL,
            validate=False,
            **options,
        )
    )
    _set_pixel_module(dataset, options)
    _set_pixel_data(dataset, encoded)
    dataset.file_meta.TransferSyntaxUID = UID(target)
    if target in LOSSY:
        uncompressed = array.size * options["bits_allocated"] // 8
        _mark_lossy(dataset, target, uncompressed / max(sum(len(f) for f in encoded), 1))


def _lossy_jpeg(
    dataset: Dataset, array: np.ndarray, photometric: str
) -> tuple[np.ndarray, dict[str, Any]]:
    """Samples for lossy JPEG, 8 or 12 bits unsigned; colour as RGB to become YBR_FULL_422.
    Grey levels are moved to JPEG's range as DCMTK moves them, with a rescale that gives the
    same modality values back: signed ones shifted up by 2**(BitsStored-1), then narrower
    ones stretched (truncated) to the whole 8 or 12 bits: 4 to 8 times less error than keeping
    them, and the very levels DCMTK writes."""
    import numpy as np

    stored = int(dataset.get("BitsStored") or dataset.BitsAllocated)
    if photometric == "PALETTE COLOR":
        array = _palette_applied(dataset, array)
        stored = 8
    precision = 8 if stored <= 8 else 12
    if array.ndim == 4:
        photometric = "YBR_FULL_422"
        array = np.clip(array, 0, (1 << precision) - 1)
    else:
        offset = 1 << (stored - 1) if int(dataset.get("PixelRepresentation") or 0) == 1 else 0
        scale = ((1 << precision) - 1) / ((1 << stored) - 1)
        levels = (array.astype(np.float64) + offset) * scale
        array = np.clip(np.floor(levels), 0, (1 << precision) - 1)
        if offset or scale != 1:
            _rescale(dataset, offset, scale)
    array = array.astype(np.uint8 if precision == 8 else np.uint16)
    return array, _layout(8 if precision == 8 else 16, precision, 0, photometric)


def _near_lossless(
    dataset: Dataset, array: np.ndarray, photometric: str
) -> tuple[np.ndarray, dict[str, Any]]:
    """Unsigned samples at CharLS's 8 or 16 bits; bits stored declared as that precision."""
    import numpy as np

    stored = int(dataset.get("BitsStored") or dataset.BitsAllocated)
    precision = 8 if stored <= 8 else 16
    array = array.astype(np.uint8 if precision == 8 else np.uint16)
    return array, _layout(precision, precision, 0, photometric)


def _lossless(
    dataset: Dataset, array: np.ndarray, photometric: str, target: str
) -> tuple[np.ndarray, dict[str, Any]]:
    """Samples as stored. JPEG-LS is written in 8 or 16-bit containers (as DCMTK does: 8 bits
    stored in 16 allocated become 8 allocated); lossless JPEG keeps Bits Allocated."""
    allocated = int(dataset.BitsAllocated)
    stored = int(dataset.get("BitsStored") or allocated)
    signed = int(dataset.get("PixelRepresentation") or 0)
    if target == codecs.JPEG_LS_LOSSLESS:
        allocated = 8 if stored <= 8 else 16
    if array.dtype.itemsize * 8 > allocated:
        array = array.astype(f"{array.dtype.kind}{allocated // 8}")
    return array, _layout(allocated, stored, signed, photometric)


def _layout(allocated: int, stored: int, signed: int, photometric: str) -> dict[str, Any]:
    return {
        "bits_allocated": allocated,
        "bits_stored": stored,
        "pixel_representation": signed,
        "photometric_interpretation": photometric,
    }


def _palette_applied(dataset: Dataset, array: np.ndarray) -> np.ndarray:
    """PALETTE COLOR indices through the colour table, as 8-bit RGB (16-bit entries by their
    high byte, as Orthanc shows them)."""
    import numpy as np
    from pydicom.pixels import apply_color_lut

    rgb = apply_color_lut(array, dataset)
    if rgb.dtype.itemsize == 2:
        rgb = rgb >> 8
    for tag in PALETTE_TAGS:
        if tag in dataset:
            del dataset[tag]
    return rgb.astype(np.uint8)


def _rescale(dataset: Dataset, offset: int, scale: float) -> None:
    """New rescales (top level and per frame) for stored values moved to
    ``(value + offset) * scale``, so that modality values stay what they were."""
    items = [dataset]
    for name in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for group in dataset.get(name) or []:
            items.extend(group.get("PixelValueTransformationSequence") or [])
    for item in items:
        has_rescale = "RescaleIntercept" in item and "RescaleSlope" in item
        if item is not dataset and not has_rescale:
            continue
        slope = float(item.RescaleSlope) if has_rescale else 1.0
        intercept = float(item.RescaleIntercept) if has_rescale else 0.0
        item.RescaleSlope = _decimal(slope / scale)
        item.RescaleIntercept = _decimal(intercept - offset * slope)
    dataset.PixelRepresentation = 0
    for tag in EXTREMA_TAGS:
        if tag in dataset:
            del dataset[tag]
    for keyword in ("PixelPaddingValue", "PixelPaddingRangeLimit"):
        if keyword in dataset:
            value = round((int(dataset[keyword].value) + offset) * scale)
            dataset[keyword].VR = "US"
            dataset[keyword].value = value


def _decimal(value: float) -> str:
    """A DS value (16 characters at most)."""
    text = f"{value:.10g}"
    return text if len(text) <= 16 else f"{value:.6g}"


def _set_pixel_module(dataset: Dataset, options: dict[str, Any]) -> None:
    dataset.SamplesPerPixel = options["samples_per_pixel"]
    dataset.PhotometricInterpretation = options["photometric_interpretation"]
    dataset.BitsAllocated = options["bits_allocated"]
    dataset.BitsStored = options["bits_stored"]
    dataset.HighBit = options["bits_stored"] - 1
    dataset.PixelRepresentation = options["pixel_representation"]
    if options["samples_per_pixel"] == 3:
        dataset.PlanarConfiguration = 0
    elif "PlanarConfiguration" in dataset:
        del dataset.PlanarConfiguration


def _set_pixel_data(dataset: Dataset, encoded: list[bytes]) -> None:
    """The frames encapsulated (with an extended offset table beyond 4 GiB of offsets, as
    pydicom's ``compress`` does)."""
    from pydicom.encaps import encapsulate, encapsulate_extended

    for keyword in ("ExtendedOffsetTable", "ExtendedOffsetTableLengths"):
        if keyword in dataset:
            delattr(dataset, keyword)
    total = (len(encoded) - 1) * 8 + sum(len(f) for f in encoded[:-1])
    if total > 2**32 - 1:
        data, offsets, lengths = encapsulate_extended(encoded)
        dataset.PixelData = data
        dataset.ExtendedOffsetTable, dataset.ExtendedOffsetTableLengths = offsets, lengths
    else:
        dataset.PixelData = encapsulate(encoded)
    element = dataset["PixelData"]
    element.VR = "OB"
    element.is_undefined_length = True


def _mark_lossy(dataset: Dataset, target: str, ratio: float) -> None:
    """A lossy result is a derived instance (PS3.3 C.7.6.1.1.5), as DCMTK makes it."""
    from pydicom.dataset import Dataset as Item
    from pydicom.sequence import Sequence
    from pydicom.uid import generate_uid

    method, name = METHOD[target]
    original_class = str(dataset.get("SOPClassUID", ""))
    original_instance = str(dataset.get("SOPInstanceUID", ""))
    dataset.SOPInstanceUID = generate_uid()
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    image_type = list(dataset.get("ImageType") or [])
    dataset.ImageType = ["DERIVED", *image_type[1:]] if len(image_type) > 1 else "DERIVED"
    dataset.LossyImageCompression = "01"
    ratios = [*_values(dataset, "LossyImageCompressionRatio"), f"{ratio:.5g}"]
    dataset.LossyImageCompressionRatio = ratios
    methods = [*_values(dataset, "LossyImageCompressionMethod"), method]
    dataset.LossyImageCompressionMethod = methods
    description = f"Lossy compression with {name}, compression ratio {ratio:.5g}"
    previous = str(dataset.get("DerivationDescription") or "").strip()
    dataset.DerivationDescription = (f"{previous}; {description}" if previous else description)[
        :1024
    ]
    purpose = _code("121320", "Uncompressed predecessor")
    source = Item()
    source.ReferencedSOPClassUID = original_class
    source.ReferencedSOPInstanceUID = original_instance
    source.PurposeOfReferenceCodeSequence = Sequence([purpose])
    dataset.SourceImageSequence = Sequence([*(dataset.get("SourceImageSequence") or []), source])
    lossy = _code("113040", "Lossy Compression")
    dataset.DerivationCodeSequence = Sequence(
        [*(dataset.get("DerivationCodeSequence") or []), lossy]
    )


def _values(dataset: Dataset, keyword: str) -> list[str]:
    """The values of a multi-valued string element already in ``dataset`` (to append to)."""
    from pydicom.multival import MultiValue

    value = dataset.get(keyword)
    if value is None or value == "":
        return []
    if isinstance(value, MultiValue | list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _code(value: str, meaning: str) -> Dataset:
    from pydicom.dataset import Dataset as Item

    code = Item()
    code.CodeValue = value
    code.CodingSchemeDesignator = "DCM"
    code.CodeMeaning = meaning
    return code
