"""``dicomweb-client`` (the Python DICOMweb client most tools build on) against Cirrus over real
HTTP, and the same calls against Orthanc 1.10.1 with Debian's DICOMweb plugin (1.7).

One table of calls (``CALLS``) runs on both servers, which hold the same files, stored by the
client itself (STOW-RS). Every answer is checked twice:

- against the truth (``test_answer_is_right``): the datasets retrieved equal the datasets
  stored, the frames equal the stored pixel bytes, the searches list the stored UIDs, the
  metadata rebuilds the stored datasets once its bulk data URIs are fetched, the rendered
  images decode to the instance's size. The same check on the plugin proves the check itself;
- against the plugin (``test_cirrus_answers_as_the_plugin``): each call's answer, reduced by
  its ``shape`` to what PS3.18 fixes, equals the plugin's. The reductions are the documented
  differences: URLs are compared from ``/dicom-web/`` on (the host part is the server's own),
  search results are compared as sets (neither server promises an order), rendered images
  are compared as decoded pixels within a tolerance (two JPEG encoders never agree byte for
  byte).

dicomweb-client sends ``Host:`` without the port (``DICOMwebClient.host``), so both servers
write URLs without it; bulk data URIs are fetched on the server's own base URL.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pydicom
import pytest
import requests
from dicomweb_client import DICOMwebClient
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate, generate_frames
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, generate_uid

from tests.e2e.stack import LocalStack
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, dicomweb_config

ROOT = "/dicom-web"
SIZE = 16
JPEG_ROWS, JPEG_COLUMNS, JPEG_FRAMES = 24, 32, 2
# Largest mean absolute difference between two servers' JPEG renderings of the same image
# (grey levels of 0-255): encoders differ by a level or two around edges.
JPEG_TOLERANCE = 3.0


# -- the files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """What the client stores in both servers: study A (patient W6-A, 2024) holds series A1
    (three 16-bit CT slices) and A2 (one two-frame JPEG baseline image); study B (patient
    W6-B, 2023) holds one CT slice. ``stray`` is a slice of study A that a test posts to
    study B's URL, which must refuse it."""

    study_a: str
    study_b: str
    series_a1: str
    series_a2: str
    series_b1: str
    datasets: dict[str, Dataset]  # by SOP Instance UID, as read back from their files
    stray: Dataset

    def in_series(self, series: str) -> list[Dataset]:
        return [d for d in self.datasets.values() if d.SeriesInstanceUID == series]

    def in_study(self, study: str) -> list[Dataset]:
        return [d for d in self.datasets.values() if d.StudyInstanceUID == study]

    @property
    def ct(self) -> Dataset:
        """The first CT slice of series A1."""
        return self.in_series(self.series_a1)[0]

    @property
    def jpeg(self) -> Dataset:
        [dataset] = self.in_series(self.series_a2)
        return dataset


def _ct_slice(patient: str, study: str, series: str, number: int, **tags: Any) -> Dataset:
    """A 16x16 CT slice whose 12-bit values differ from slice to slice, from 0 to 4095, with
    the window of that whole range: a rendering through the instance's window and one
    stretching the values from their minimum to their maximum (the plugin's) are the same."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    values = (x * 200 + y * 37 + number * 500) % 4096
    values[0, 0], values[-1, -1] = 0, 4095
    pixels = values.astype("<u2").tobytes()
    data = make_instance(
        patient,
        study,
        series,
        instance_number=number,
        size=SIZE,
        PixelData=pixels,
        BitsStored=12,
        HighBit=11,
        WindowCenter="2048",
        WindowWidth="4096",
        **tags,
    )
    return pydicom.dcmread(io.BytesIO(data))


def _jpeg_image(patient: str, study: str, series: str, **tags: Any) -> Dataset:
    """A two-frame 8-bit MONOCHROME2 image, each frame JPEG baseline (Pillow), encapsulated
    with a basic offset table: the stored bytes a frame retrieval with transfer-syntax=*
    must give back as they are."""
    dataset = pydicom.dcmread(io.BytesIO(make_instance(patient, study, series, **tags)))
    dataset.Rows, dataset.Columns = JPEG_ROWS, JPEG_COLUMNS
    dataset.BitsAllocated = dataset.BitsStored = 8
    dataset.HighBit = 7
    dataset.NumberOfFrames = JPEG_FRAMES
    dataset.Modality = "OT"
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    y, x = np.mgrid[0:JPEG_ROWS, 0:JPEG_COLUMNS]
    frames = []
    for frame in range(JPEG_FRAMES):
        image = ((x * 8 + y * 4 + frame * 90) % 256).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(image, "L").save(buffer, "JPEG", quality=90)
        frames.append(buffer.getvalue())
    dataset.PixelData = encapsulate(frames, has_bot=True)
    dataset["PixelData"].VR = "OB"
    dataset["PixelData"].is_undefined_length = True
    dataset.file_meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    dataset.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return pydicom.dcmread(io.BytesIO(buffer.getvalue()))


def make_corpus() -> Corpus:
    study_a, study_b = generate_uid(), generate_uid()
    series_a1, series_a2, series_b1 = generate_uid(), generate_uid(), generate_uid()
    alpha = {"PatientName": "W6^Alpha", "StudyDescription": "Alpha study"}
    beta = {"PatientName": "W6^Beta", "StudyDescription": "Beta study", "StudyDate": "20230510"}
    datasets = [
        *(_ct_slice("W6-A", study_a, series_a1, n, **alpha) for n in (1, 2, 3)),
        _jpeg_image("W6-A", study_a, series_a2, **alpha),
        _ct_slice("W6-B", study_b, series_b1, 1, **beta),
    ]
    return Corpus(
        study_a,
        study_b,
        series_a1,
        series_a2,
        series_b1,
        {d.SOPInstanceUID: d for d in datasets},
        _ct_slice("W6-A", study_a, series_a1, 9, **alpha),
    )


# -- the servers ---------------------------------------------------------------------------


@dataclass
class Server:
    """A DICOMweb server holding the corpus, with what its STOW-RS answers said."""

    name: str
    base_url: str
    client: DICOMwebClient
    stored: list[Dataset] = field(default_factory=list)
    answers: dict[str, Outcome] = field(default_factory=dict)

    def own_url(self, url: str) -> str:
        """A URL of an answer (written for ``Host:`` without the port) on this server."""
        path = urlsplit(url).path
        return self.base_url + path[path.index(ROOT) :]


def fill(server: Server, corpus: Corpus) -> None:
    """STOW-RS the corpus: study A in one request to ``/studies``, study B to
    ``/studies/{B}`` (the study-scoped form)."""
    server.stored.append(server.client.store_instances(corpus.in_study(corpus.study_a)))
    server.stored.append(
        server.client.store_instances(
            corpus.in_study(corpus.study_b), study_instance_uid=corpus.study_b
        )
    )


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus()


@pytest.fixture(scope="module")
def plugin(corpus: Corpus) -> Iterator[Server]:
    with OrthancServer(extra_config=dicomweb_config()) as orthanc:
        server = Server("orthanc-dicomweb", orthanc.url, DICOMwebClient(orthanc.url + ROOT))
        fill(server, corpus)
        yield server


@pytest.fixture(scope="module")
def cirrus(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with LocalStack(tmp_path_factory.mktemp("dicomweb") / "data") as stack:
        server = Server("cirrus", stack.url, DICOMwebClient(stack.url + ROOT))
        fill(server, corpus)
        yield server


@pytest.fixture(params=["orthanc-dicomweb", "cirrus"])
def server(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue("plugin" if request.param == "orthanc-dicomweb" else "cirrus")


# -- answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A call's answer, or the HTTP error that stopped it (request and answer, for the
    failure message)."""

    value: Any = None
    error: str | None = None


def outcome(server: Server, call: Call, corpus: Corpus) -> Outcome:
    """The call's answer on ``server``, made once per module."""
    if call.name not in server.answers:
        try:
            server.answers[call.name] = Outcome(call.request(server, corpus))
        except requests.HTTPError as error:
            response = error.response
            request = response.request
            server.answers[call.name] = Outcome(
                error=f"{request.method} {request.url} Accept: {request.headers.get('Accept')}"
                f" -> HTTP {response.status_code} {response.text[:600]!r}"
            )
    return server.answers[call.name]


def value(server: Server, call: Call, corpus: Corpus) -> Any:
    answer = outcome(server, call, corpus)
    assert answer.error is None, f"{server.name}: {answer.error}"
    return answer.value


# -- what answers are reduced to -----------------------------------------------------------


# Instance Availability: PS3.18 lists it among the attributes a QIDO-RS answer returns (tables
# 6.7.1-2 and -2b); Cirrus answers ONLINE (every stored instance is), the plugin 1.7 leaves it
# out. Any other value still differs.
ONLINE = ("00080056", {"Value": ["ONLINE"], "vr": "CS"})


def json_shape(answer: Any) -> Any:
    """DICOM JSON with URLs from ``/dicom-web/`` on, lists of datasets sorted (searches and
    metadata promise no order), Instance Availability ONLINE left out (``ONLINE``)."""
    if isinstance(answer, dict):
        return {
            key: json_shape(item) for key, item in sorted(answer.items()) if (key, item) != ONLINE
        }
    if isinstance(answer, list):
        items = [json_shape(item) for item in answer]
        if items and all(isinstance(item, dict) for item in items):
            return sorted(items, key=repr)
        return items
    if isinstance(answer, str) and "://" in answer and ROOT + "/" in answer:
        return answer[answer.index(ROOT) :]
    return answer


def uids(answer: list[dict[str, Any]], tag: str) -> list[str]:
    """The UIDs under ``tag`` of a search's or metadata's answer, sorted."""
    return sorted(item[tag]["Value"][0] for item in answer)


def dataset_shape(datasets: list[Dataset]) -> list[tuple[str, str, Any]]:
    """(SOP UID, transfer syntax, the data set as DICOM JSON) per dataset, sorted."""
    return sorted(
        (d.SOPInstanceUID, str(d.file_meta.TransferSyntaxUID), d.to_json_dict(0, _bulk_bytes))
        for d in datasets
    )


def _bulk_bytes(element: pydicom.DataElement) -> str:
    """Binary values compared by content in ``to_json_dict`` (no size threshold)."""
    return repr(element.value)


def image_shape(data: bytes) -> tuple[str, tuple[int, int], np.ndarray]:
    image = Image.open(io.BytesIO(data))
    return image.format or "", image.size, np.asarray(image.convert("L"), dtype=np.float64)


def same_image(ours: bytes, theirs: bytes) -> None:
    """Two renderings of one image: same format and size, pixels within the tolerance (exact
    for PNG)."""
    kind, size, pixels = image_shape(ours)
    their_kind, their_size, their_pixels = image_shape(theirs)
    assert (kind, size) == (their_kind, their_size)
    difference = np.abs(pixels - their_pixels).mean()
    assert difference <= (JPEG_TOLERANCE if kind == "JPEG" else 0.0), difference


# -- the calls -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One use of dicomweb-client: ``request`` makes it, ``truth`` checks the answer against
    the corpus, ``shape`` reduces it to what must equal the plugin's (``compare`` replaces
    equality where answers may differ in documented ways). ``plugin_differs`` says why the
    plugin's answer is wrong, for the few calls where it is: there the plugin must still be
    wrong (its test checks that the truth fails), and Cirrus is held to the truth alone."""

    name: str
    request: Callable[[Server, Corpus], Any]
    truth: Callable[[Any, Corpus], None]
    shape: Callable[[Any], Any] = json_shape
    compare: Callable[[Any, Any], None] | None = None
    plugin_differs: str = ""


STUDY, SERIES, SOP = "0020000D", "0020000E", "00080018"
# The UID each search method's answers are listed by.
SEARCHED = {"search_for_studies": STUDY, "search_for_series": SERIES, "search_for_instances": SOP}
# Why the plugin's answer to a few calls is wrong: dicomweb-client percent-encodes query values
# ("^", "*" and "," become %5E, %2A and %2C), and Orthanc 1.10.1 hands them to the plugin
# undecoded, so the plugin matches "W6%5EAlpha" literally (no study) or counts one value in
# "1024%2C2048%2Clinear" (400). Sent unencoded (curl, a browser), the same queries work.
UNKNOWN_UID = "1.2.826.0.1.3680043.8.498.0"  # no study has it
NOT_DECODED = "query values percent-encoded by the client reach the plugin undecoded"
PIXEL_DATA = "7FE00010"
BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
ALL_SYNTAXES = "*"


def lists(tag: str, expected: Callable[[Corpus], list[str]]) -> Callable[[Any, Corpus], None]:
    """Truth of a search: it lists exactly ``expected``'s UIDs under ``tag``."""

    def truth(answer: list[dict[str, Any]], corpus: Corpus) -> None:
        assert uids(answer, tag) == sorted(expected(corpus))

    return truth


def pages_truth(pages: list[list[dict[str, Any]]], corpus: Corpus) -> None:
    """limit=1 at offsets 0 and 1 over the two studies: one study a page, both seen."""
    assert [len(page) for page in pages] == [1, 1]
    assert uids(pages[0] + pages[1], STUDY) == sorted([corpus.study_a, corpus.study_b])


def pages_shape(pages: list[list[dict[str, Any]]]) -> Any:
    """Which study comes first is each server's own order: the pages' union is compared."""
    return json_shape(pages[0] + pages[1])


def study_a_attributes(answer: list[dict[str, Any]], corpus: Corpus) -> None:
    """The study-level attributes PS3.18 requires, as the index knows them."""
    [study] = answer
    assert study[STUDY]["Value"] == [corpus.study_a]
    assert study["00100010"]["Value"] == [{"Alphabetic": "W6^Alpha"}]
    assert study["00100020"]["Value"] == ["W6-A"]
    assert study["00080020"]["Value"] == ["20240102"]
    assert sorted(study["00080061"]["Value"]) == ["CT", "OT"]
    assert study["00201206"]["Value"] == [2]  # Number of Study Related Series
    assert study["00201208"]["Value"] == [4]  # Number of Study Related Instances
    assert study["00081190"]["Value"][0].endswith(f"{ROOT}/studies/{corpus.study_a}")


def includes_description(answer: list[dict[str, Any]], corpus: Corpus) -> None:
    [study] = answer
    assert study[STUDY]["Value"] == [corpus.study_b]
    assert study["00081030"]["Value"] == ["Beta study"]


def instances_limit_truth(answer: list[dict[str, Any]], corpus: Corpus) -> None:
    assert len(answer) == 2
    assert set(uids(answer, SOP)) <= {d.SOPInstanceUID for d in corpus.in_series(corpus.series_a1)}


def stored_truth(answers: list[Dataset], corpus: Corpus) -> None:
    """The two STOW-RS answers reference every stored instance and report no failure."""
    for answer, study in zip(answers, (corpus.study_a, corpus.study_b), strict=True):
        referenced = sorted(item.ReferencedSOPInstanceUID for item in answer.ReferencedSOPSequence)
        assert referenced == sorted(d.SOPInstanceUID for d in corpus.in_study(study))
        for item in answer.ReferencedSOPSequence:
            stored = corpus.datasets[item.ReferencedSOPInstanceUID]
            assert item.ReferencedSOPClassUID == stored.SOPClassUID
            assert item.RetrieveURL.endswith(
                f"{ROOT}/studies/{study}/series/{stored.SeriesInstanceUID}"
                f"/instances/{stored.SOPInstanceUID}"
            )
        assert not answer.get("FailedSOPSequence")


def stored_shape(answers: list[Dataset]) -> Any:
    return json_shape([answer.to_json_dict() for answer in answers])


def _decoded(dataset: Dataset, frame: int) -> np.ndarray:
    """Frame ``frame`` (1-based) of ``dataset`` decoded by pydicom, as float."""
    pixels = dataset.pixel_array.astype(np.float64)
    return pixels[frame - 1] if int(dataset.get("NumberOfFrames", 1)) > 1 else pixels


def _close_to_decoded(data: bytes, dataset: Dataset, frame: int) -> None:
    """Uncompressed bytes of a lossy frame: the same image as pydicom's decoding within the
    tolerance (decoders of one JPEG differ by a level here and there)."""
    expected = _decoded(dataset, frame)
    got = np.frombuffer(data, dtype=np.uint8).astype(np.float64).reshape(expected.shape)
    assert np.abs(got - expected).mean() <= JPEG_TOLERANCE


def equals_stored(datasets: list[Dataset], expected: list[Dataset]) -> None:
    """Retrieved datasets equal the stored ones, in the stored transfer syntax."""
    assert dataset_shape(datasets) == dataset_shape(expected)


def retrieved(expected: Callable[[Corpus], list[Dataset]]) -> Callable[[Any, Corpus], None]:
    def truth(answer: Dataset | list[Dataset], corpus: Corpus) -> None:
        equals_stored(answer if isinstance(answer, list) else [answer], expected(corpus))

    return truth


def retrieved_uncompressed(answer: list[Dataset], corpus: Corpus) -> None:
    """Study A in Explicit VR Little Endian: the CT slices as stored, the JPEG image
    decompressed (its other attributes unchanged)."""
    by_uid = {d.SOPInstanceUID: d for d in answer}
    assert sorted(by_uid) == sorted(d.SOPInstanceUID for d in corpus.in_study(corpus.study_a))
    for uid, dataset in by_uid.items():
        assert dataset.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
        stored = corpus.datasets[uid]
        if stored is not corpus.jpeg:
            equals_stored([dataset], [stored])
            continue
        for frame in range(1, JPEG_FRAMES + 1):
            size = JPEG_ROWS * JPEG_COLUMNS
            _close_to_decoded(dataset.PixelData[(frame - 1) * size : frame * size], stored, frame)
        for element in stored:
            if element.tag != 0x7FE00010:
                assert dataset[element.tag] == element


def uncompressed_shape(answer: list[Dataset]) -> Any:
    """The JPEG image's decoded pixels differ with the decoder: compared without them."""
    return sorted(
        (d.SOPInstanceUID, str(d.file_meta.TransferSyntaxUID), len(d.PixelData)) for d in answer
    )


def metadata_truth(expected: Callable[[Corpus], list[Dataset]]) -> Callable[[Any, Corpus], None]:
    """Metadata lists every attribute of the stored datasets: binary ones as inline values
    or bulk data URIs of the right VR, the others equal to the stored values."""

    def truth(answer: dict[str, Any] | list[dict[str, Any]], corpus: Corpus) -> None:
        items = answer if isinstance(answer, list) else [answer]
        assert uids(items, SOP) == sorted(d.SOPInstanceUID for d in expected(corpus))
        for item in items:
            dataset = corpus.datasets[item[SOP]["Value"][0]]
            stored = dataset.to_json_dict(1 << 30, _bulk_bytes)
            if dataset.file_meta.TransferSyntaxUID.is_compressed and PIXEL_DATA not in item:
                del stored[PIXEL_DATA]  # the plugin's way, see metadata_compare
            assert sorted(item) == sorted(stored)
            for tag, element in item.items():
                if "BulkDataURI" in element:
                    assert element["vr"] == stored[tag]["vr"] and element["vr"] in BINARY_VRS
                    assert f"{ROOT}/studies/" in element["BulkDataURI"]
                elif "InlineBinary" not in element:
                    assert element == stored[tag], tag

    return truth


def metadata_compare(ours: Any, theirs: Any) -> None:
    """Equal DICOM JSON, but for one documented difference: PS3.18 (10.4.1.2) gives the
    compressed pixel data of an instance a BulkDataURI in its metadata; the plugin 1.7 leaves
    the element out. Cirrus may follow either."""
    ours_items = ours if isinstance(ours, list) else [ours]
    theirs_items = theirs if isinstance(theirs, list) else [theirs]
    by_uid = {item[SOP]["Value"][0]: item for item in theirs_items}
    completed = []
    for item in ours_items:
        their_item = dict(by_uid.get(item[SOP]["Value"][0], {}))
        if PIXEL_DATA not in their_item and "BulkDataURI" in item.get(PIXEL_DATA, {}):
            their_item[PIXEL_DATA] = item[PIXEL_DATA]
        completed.append(their_item)
    assert json_shape(ours_items) == json_shape(completed)


def bulk_pixel_data(server: Server, corpus: Corpus) -> list[bytes]:
    """The CT slice's pixel data through the BulkDataURI its metadata gives."""
    ct = corpus.ct
    metadata = server.client.retrieve_instance_metadata(
        ct.StudyInstanceUID, ct.SeriesInstanceUID, ct.SOPInstanceUID
    )
    return server.client.retrieve_bulkdata(
        server.own_url(metadata[PIXEL_DATA]["BulkDataURI"]),
        # The client's default, */*, is refused by the plugin (400).
        media_types=("application/octet-stream",),
    )


def frames(
    which: Callable[[Corpus], Dataset],
    numbers: list[int],
    media_type: tuple[str, str] | None,
) -> Callable[[Server, Corpus], list[bytes]]:
    def request(server: Server, corpus: Corpus) -> list[bytes]:
        dataset = which(corpus)
        return server.client.retrieve_instance_frames(
            dataset.StudyInstanceUID,
            dataset.SeriesInstanceUID,
            dataset.SOPInstanceUID,
            numbers,
            media_types=None if media_type is None else (media_type,),
        )

    return request


def stored_frames(
    which: Callable[[Corpus], Dataset], numbers: list[int]
) -> Callable[[list[bytes], Corpus], None]:
    """Frames equal to the stored bytes: the pixel data of an uncompressed image, the
    fragments of a compressed one."""

    def truth(answer: list[bytes], corpus: Corpus) -> None:
        dataset = which(corpus)
        if dataset.file_meta.TransferSyntaxUID.is_compressed:
            stored = list(generate_frames(dataset.PixelData, number_of_frames=JPEG_FRAMES))
        else:
            stored = [dataset.PixelData]
        assert answer == [stored[n - 1] for n in numbers]

    return truth


def decoded_jpeg_frame(answer: list[bytes], corpus: Corpus) -> None:
    [data] = answer
    _close_to_decoded(data, corpus.jpeg, 2)


def limited_shape(answer: list[dict[str, Any]]) -> list[list[str]]:
    """Which items a limit keeps is each server's order: their attributes are compared."""
    return [sorted(json_shape(item)) for item in answer]


def length_shape(answer: list[bytes]) -> list[int]:
    return [len(data) for data in answer]


def rendered(
    which: Callable[[Corpus], Dataset],
    media_type: str,
    frame: int | None = None,
    params: dict[str, str] | None = None,
) -> Callable[[Server, Corpus], bytes]:
    def request(server: Server, corpus: Corpus) -> bytes:
        dataset = which(corpus)
        uids = (dataset.StudyInstanceUID, dataset.SeriesInstanceUID, dataset.SOPInstanceUID)
        if frame is None:
            return server.client.retrieve_instance_rendered(
                *uids, media_types=(media_type,), params=params
            )
        return server.client.retrieve_instance_frames_rendered(
            *uids, [frame], media_types=(media_type,), params=params
        )

    return request


def windowed_ct(
    kind: str, tolerance: float, centre: float = 2048, width: float = 4096
) -> Callable[[bytes, Corpus], None]:
    """The CT slice through a linear window (PS3.14 C.11.2.1.2; by default the instance's,
    which spans its values)."""

    def truth(answer: bytes, corpus: Corpus) -> None:
        got_kind, size, pixels = image_shape(answer)
        assert (got_kind, size) == (kind, (SIZE, SIZE))
        values = corpus.ct.pixel_array.astype(np.float64)
        expected = np.clip(((values - (centre - 0.5)) / (width - 1) + 0.5) * 255, 0, 255)
        assert np.abs(pixels - expected).max() <= tolerance

    return truth


def series_rendered_truth(answer: bytes, corpus: Corpus) -> None:
    """A JPEG of one of the series' slices (PS3.18 leaves which one to the server)."""
    kind, size, pixels = image_shape(answer)
    assert (kind, size) == ("JPEG", (SIZE, SIZE))
    slices = [
        d.pixel_array.astype(np.float64) * 255 / 4095 for d in corpus.in_series(corpus.series_a1)
    ]
    assert min(np.abs(pixels - expected).mean() for expected in slices) <= JPEG_TOLERANCE


def store_stray(server: Server, corpus: Corpus) -> tuple[int, dict[str, Any], list[Any]]:
    """POST study A's ``stray`` slice to study B's URL: (status, the store answer, what a
    search finds of it afterwards)."""
    try:
        answer = server.client.store_instances([corpus.stray], study_instance_uid=corpus.study_b)
        status, body = 200, answer.to_json_dict()
    except requests.HTTPError as error:
        status, body = error.response.status_code, error.response.json()
    found = server.client.search_for_instances(
        search_filters={"SOPInstanceUID": corpus.stray.SOPInstanceUID}
    )
    return status, body, found


def stray_truth(answer: tuple[int, dict[str, Any], list[Any]], corpus: Corpus) -> None:
    """409 (PS3.18 10.5.3: none stored), the instance in FailedSOPSequence with a reason,
    nothing in ReferencedSOPSequence, and nothing stored."""
    status, body, found = answer
    assert status == 409
    failed = Dataset.from_json(body).FailedSOPSequence
    assert [item.ReferencedSOPInstanceUID for item in failed] == [corpus.stray.SOPInstanceUID]
    assert failed[0].FailureReason > 0
    assert not Dataset.from_json(body).get("ReferencedSOPSequence")
    assert found == []


def rendered_jpeg_frame(answer: bytes, corpus: Corpus) -> None:
    kind, size, pixels = image_shape(answer)
    assert (kind, size) == ("PNG", (JPEG_COLUMNS, JPEG_ROWS))
    assert np.abs(pixels - _decoded(corpus.jpeg, 2)).mean() <= JPEG_TOLERANCE


def raw(answer: Any) -> Any:
    return answer


def search(
    name: str,
    expected: Callable[[Corpus], list[str]],
    within: Callable[[Corpus], tuple[str, ...]] = lambda c: (),
    filters: dict[str, str] | Callable[[Corpus], dict[str, str]] | None = None,
    plugin_differs: str = "",
) -> Call:
    """A QIDO-RS search with the dicomweb-client method that starts ``name``, in the study
    (and series) ``within`` gives, listing exactly ``expected``'s UIDs."""
    method = name.split()[0]

    def request(server: Server, corpus: Corpus) -> Any:
        asked = filters(corpus) if callable(filters) else filters
        return getattr(server.client, method)(*within(corpus), search_filters=asked)

    return Call(name, request, lists(SEARCHED[method], expected), plugin_differs=plugin_differs)


def stored_frames_call(
    name: str, which: Callable[[Corpus], Dataset], numbers: list[int], media_type: tuple[str, str]
) -> Call:
    """A frame retrieval answered with the stored bytes, compared as they are."""
    return Call(name, frames(which, numbers, media_type), stored_frames(which, numbers), raw)


def image_call(
    name: str,
    request: Callable[[Server, Corpus], bytes],
    truth: Callable[[bytes, Corpus], None],
    plugin_differs: str = "",
) -> Call:
    """A rendering, compared with the plugin's as decoded pixels (``same_image``)."""
    return Call(name, request, truth, raw, same_image, plugin_differs=plugin_differs)


def study_a(corpus: Corpus) -> list[str]:
    return [corpus.study_a]


def study_b(corpus: Corpus) -> list[str]:
    return [corpus.study_b]


def ct(corpus: Corpus) -> Dataset:
    return corpus.ct


def jpeg(corpus: Corpus) -> Dataset:
    return corpus.jpeg


CALLS = [
    Call("store_instances", lambda s, c: s.stored, stored_truth, stored_shape),
    Call("store_instances into another study", store_stray, stray_truth),
    # QIDO-RS
    search("search_for_studies", lambda c: [c.study_a, c.study_b]),
    Call(
        "search_for_studies PatientID",
        lambda s, c: s.client.search_for_studies(search_filters={"PatientID": "W6-A"}),
        study_a_attributes,
    ),
    search(
        "search_for_studies PatientName wildcard",
        study_a,
        filters={"PatientName": "*Alpha"},
        plugin_differs=NOT_DECODED,
    ),
    search(
        "search_for_studies PatientName",
        study_a,
        filters={"PatientName": "W6^Alpha"},
        plugin_differs=NOT_DECODED,
    ),
    search(
        "search_for_studies StudyDate range",
        study_a,
        filters={"StudyDate": "20240101-20241231"},
    ),
    search("search_for_studies StudyDate open range", study_b, filters={"StudyDate": "-20231231"}),
    search(
        "search_for_studies UID list",
        study_b,
        filters=lambda c: {"StudyInstanceUID": f"{c.study_b},{UNKNOWN_UID}"},
    ),
    search("search_for_studies ModalitiesInStudy", study_a, filters={"ModalitiesInStudy": "OT"}),
    Call(
        "search_for_studies limit offset",
        lambda s, c: [s.client.search_for_studies(limit=1, offset=n) for n in (0, 1)],
        pages_truth,
        pages_shape,
    ),
    Call(
        "search_for_studies fields",
        lambda s, c: s.client.search_for_studies(
            fields=["StudyDescription"], search_filters={"PatientID": "W6-B"}
        ),
        includes_description,
    ),
    search("search_for_series", lambda c: [c.series_a1, c.series_a2, c.series_b1]),
    search(
        "search_for_series in study",
        lambda c: [c.series_a1, c.series_a2],
        within=lambda c: (c.study_a,),
    ),
    search(
        "search_for_series in study Modality",
        lambda c: [c.series_a1],
        within=lambda c: (c.study_a,),
        filters={"Modality": "CT"},
    ),
    search("search_for_series Modality", lambda c: [c.series_a2], filters={"Modality": "OT"}),
    search(
        "search_for_instances in series",
        lambda c: [d.SOPInstanceUID for d in c.in_series(c.series_a1)],
        within=lambda c: (c.study_a, c.series_a1),
    ),
    search(
        "search_for_instances in study",
        lambda c: [d.SOPInstanceUID for d in c.in_study(c.study_a)],
        within=lambda c: (c.study_a,),
    ),
    search(
        "search_for_instances SOPInstanceUID",
        lambda c: [c.jpeg.SOPInstanceUID],
        filters=lambda c: {"SOPInstanceUID": c.jpeg.SOPInstanceUID},
    ),
    search(
        "search_for_instances InstanceNumber",
        lambda c: [c.in_series(c.series_a1)[1].SOPInstanceUID],
        within=lambda c: (c.study_a, c.series_a1),
        filters={"InstanceNumber": "2"},
    ),
    Call(
        "search_for_instances limit",
        lambda s, c: s.client.search_for_instances(c.study_a, c.series_a1, limit=2),
        instances_limit_truth,
        limited_shape,
    ),
    # WADO-RS
    Call(
        "retrieve_study",
        lambda s, c: s.client.retrieve_study(c.study_a),
        retrieved_uncompressed,
        uncompressed_shape,
    ),
    Call(
        "retrieve_study transfer-syntax=*",
        lambda s, c: s.client.retrieve_study(
            c.study_a, media_types=(("application/dicom", ALL_SYNTAXES),)
        ),
        retrieved(lambda c: c.in_study(c.study_a)),
        dataset_shape,
    ),
    Call(
        "retrieve_series",
        lambda s, c: s.client.retrieve_series(c.study_b, c.series_b1),
        retrieved(lambda c: c.in_series(c.series_b1)),
        dataset_shape,
    ),
    Call(
        "retrieve_instance",
        lambda s, c: s.client.retrieve_instance(c.study_a, c.series_a1, c.ct.SOPInstanceUID),
        retrieved(lambda c: [c.ct]),
        lambda answer: dataset_shape([answer]),
    ),
    Call(
        "retrieve_instance transfer-syntax=*",
        lambda s, c: s.client.retrieve_instance(
            c.study_a,
            c.series_a2,
            c.jpeg.SOPInstanceUID,
            media_types=(("application/dicom", ALL_SYNTAXES),),
        ),
        retrieved(lambda c: [c.jpeg]),
        lambda answer: dataset_shape([answer]),
    ),
    Call(
        "retrieve_study_metadata",
        lambda s, c: s.client.retrieve_study_metadata(c.study_a),
        metadata_truth(lambda c: c.in_study(c.study_a)),
        compare=metadata_compare,
    ),
    Call(
        "retrieve_series_metadata",
        lambda s, c: s.client.retrieve_series_metadata(c.study_a, c.series_a2),
        metadata_truth(lambda c: c.in_series(c.series_a2)),
        compare=metadata_compare,
    ),
    Call(
        "retrieve_instance_metadata",
        lambda s, c: s.client.retrieve_instance_metadata(
            c.study_a, c.series_a1, c.ct.SOPInstanceUID
        ),
        metadata_truth(lambda c: [c.ct]),
        compare=metadata_compare,
    ),
    Call("retrieve_bulkdata", bulk_pixel_data, lambda a, c: a == [c.ct.PixelData], raw),
    stored_frames_call(
        "retrieve_instance_frames octet-stream",
        ct,
        [1],
        ("application/octet-stream", ExplicitVRLittleEndian),
    ),
    stored_frames_call(
        "retrieve_instance_frames octet-stream transfer-syntax=*",
        ct,
        [1],
        ("application/octet-stream", ALL_SYNTAXES),
    ),
    stored_frames_call(
        "retrieve_instance_frames image/jpeg", jpeg, [1, 2], ("image/jpeg", JPEGBaseline8Bit)
    ),
    stored_frames_call(
        "retrieve_instance_frames compressed transfer-syntax=*",
        jpeg,
        [2],
        ("application/octet-stream", ALL_SYNTAXES),
    ),
    Call(
        "retrieve_instance_frames compressed as octet-stream",
        frames(jpeg, [2], ("application/octet-stream", ExplicitVRLittleEndian)),
        decoded_jpeg_frame,
        length_shape,
    ),
    image_call(
        "retrieve_instance_rendered image/png",
        rendered(ct, "image/png"),
        windowed_ct("PNG", 1.0),
    ),
    image_call(
        "retrieve_instance_rendered image/jpeg",
        rendered(ct, "image/jpeg"),
        windowed_ct("JPEG", 24.0),
    ),
    image_call(
        "retrieve_instance_rendered window",
        rendered(ct, "image/png", params={"window": "1024,2048,linear"}),
        windowed_ct("PNG", 1.0, 1024, 2048),
        plugin_differs=NOT_DECODED,
    ),
    image_call(
        "retrieve_series_rendered",
        lambda s, c: s.client.retrieve_series_rendered(
            c.study_a, c.series_a1, media_types=("image/jpeg",)
        ),
        series_rendered_truth,
    ),
    image_call(
        "retrieve_instance_frames_rendered image/png",
        rendered(jpeg, "image/png", frame=2),
        rendered_jpeg_frame,
    ),
]


@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
def test_answer_is_right(server: Server, corpus: Corpus, call: Call) -> None:
    if server.name == "orthanc-dicomweb" and call.plugin_differs:
        answer = outcome(server, call, corpus)
        if answer.error is None:
            with pytest.raises(AssertionError):
                call.truth(answer.value, corpus)
        return
    call.truth(value(server, call, corpus), corpus)


COMPARED = [c for c in CALLS if not c.plugin_differs]


@pytest.mark.parametrize("call", COMPARED, ids=[c.name for c in COMPARED])
def test_cirrus_answers_as_the_plugin(
    plugin: Server, cirrus: Server, corpus: Corpus, call: Call
) -> None:
    theirs, ours = value(plugin, call, corpus), value(cirrus, call, corpus)
    if call.compare is not None:
        call.compare(ours, theirs)
    else:
        assert call.shape(ours) == call.shape(theirs)
