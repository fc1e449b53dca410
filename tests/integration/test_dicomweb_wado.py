"""WADO-RS through the app: retrieval as multipart/related (stored, default and explicit
transfer syntaxes, through S3 past the threshold), metadata at three levels with bulk data
URIs that ``/bulk`` serves, the cached metadata of stable series (its AWS requests, and its
invalidation), and bad input."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pydicom
import pytest
import requests

from chalicelib.dicom.multipart_related import parse_content_type, parse_related, related_boundary
from tests.integration.helpers import assert_orthanc_error, aws_requests, upload
from tests.support.dicom_factory import make_instance

STUDY = "1.2.826.0.1.3680043.10.99.1"
SERIES = (f"{STUDY}.1", f"{STUDY}.2")
ROOT = "/dicom-web"
DICOM_ACCEPT = 'multipart/related; type="application/dicom"'
IMPLICIT = "1.2.840.10008.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"


def _files(series: str = SERIES[0], count: int = 2, **tags: Any) -> dict[str, bytes]:
    return {
        f"{series}.{n}": make_instance(
            study_uid=STUDY, series_uid=series, sop_uid=f"{series}.{n}", instance_number=n, **tags
        )
        for n in range(1, count + 1)
    }


def _store(client: Any, files: dict[str, bytes]) -> None:
    for data in files.values():
        upload(client, data)


def _parts(response: Any) -> list[bytes]:
    assert response.status_code == 200, response.body
    content_type = parse_content_type(response.headers["Content-Type"])
    assert content_type.media_type == "multipart/related"
    boundary = related_boundary(content_type)
    return [part.content for part in parse_related(response.body, boundary)]


def _stable(feed: Any) -> None:
    """The feed sees the arrivals, then the stability check runs a minute later, with the
    DICOMweb hook bootstrap gives it."""
    from chalicelib import bootstrap
    from chalicelib.services.changes.stability import StabilityService

    feed.pump()
    later = datetime.now(UTC) + timedelta(minutes=1)
    StabilityService(
        bootstrap.index(),
        bootstrap.changes_log(),
        0,
        lambda: later,
        on_stable_series=bootstrap.wado_metadata().series_stable,
    ).run()


@pytest.fixture
def stored(client: Any) -> dict[str, bytes]:
    files = _files()
    _store(client, files)
    return files


# -- retrieval ------------------------------------------------------------------------------


def test_instances_as_stored_byte_for_byte(client: Any, stored: dict[str, bytes]) -> None:
    accept = {"Accept": f"{DICOM_ACCEPT}; transfer-syntax=*"}
    study = _parts(client.http.get(f"{ROOT}/studies/{STUDY}", headers=accept))
    assert study == list(stored.values())  # in series order (InstanceNumber)
    series = _parts(client.http.get(f"{ROOT}/studies/{STUDY}/series/{SERIES[0]}", headers=accept))
    assert series == study
    sop = f"{SERIES[0]}.2"
    path = f"{ROOT}/studies/{STUDY}/series/{SERIES[0]}/instances/{sop}"
    assert _parts(client.http.get(path, headers=accept)) == [stored[sop]]


def test_default_and_explicit_transfer_syntaxes(client: Any, stored: dict[str, bytes]) -> None:
    path = f"{ROOT}/studies/{STUDY}/series/{SERIES[0]}"
    # No Accept, or no transfer-syntax: explicit VR little endian, the stored syntax here.
    assert _parts(client.http.get(path)) == list(stored.values())
    implicit = _parts(
        client.http.get(path, headers={"Accept": f"{DICOM_ACCEPT}; transfer-syntax={IMPLICIT}"})
    )
    for part, original in zip(implicit, stored.values(), strict=True):
        dataset = pydicom.dcmread(io.BytesIO(part))
        assert dataset.file_meta.TransferSyntaxUID == IMPLICIT
        assert dataset.PixelData == pydicom.dcmread(io.BytesIO(original)).PixelData


def test_a_syntax_that_cannot_be_written_is_not_acceptable(
    client: Any, stored: dict[str, bytes]
) -> None:
    path = f"{ROOT}/studies/{STUDY}"
    # Big endian has no encoder here; a UID that is no transfer syntax is refused too.
    for syntax in ("1.2.840.10008.1.2.2", "1.2.3"):
        accept = {"Accept": f"{DICOM_ACCEPT}; transfer-syntax={syntax}"}
        assert_orthanc_error(client.http.get(path, headers=accept), 406, 34, "GET")
    other = {"Accept": 'multipart/related; type="application/octet-stream"'}
    assert_orthanc_error(client.http.get(path, headers=other), 406, 34, "GET")


def test_unknown_or_misplaced_uids_are_404(client: Any, stored: dict[str, bytes]) -> None:
    _store(client, _files(SERIES[1], count=1))
    elsewhere = make_instance(study_uid="1.2.3.999", series_uid="1.2.3.999.1", sop_uid="1.2.3.9")
    upload(client, elsewhere)
    for path in (
        f"{ROOT}/studies/1.2.3.4",
        f"{ROOT}/studies/1.2.3.999/series/{SERIES[0]}",
        f"{ROOT}/studies/{STUDY}/series/1.2.3.999.1",
        f"{ROOT}/studies/{STUDY}/series/{SERIES[1]}/instances/{SERIES[0]}.1",
        f"{ROOT}/studies/{STUDY}/series/{SERIES[0]}/instances/1.2.3.9",
        f"{ROOT}/studies/1.2.3.4/metadata",
        f"{ROOT}/studies/{STUDY}/series/1.2.3.999.1/metadata",
    ):
        assert_orthanc_error(client.http.get(path), 404, 7, "GET")


def test_a_large_study_goes_through_s3(client: Any, configure: Any) -> None:
    configure(LargeObjectThreshold=20_000)
    files = _files(count=3, size=64)  # 8 KB of pixels each
    _store(client, files)
    response = client.http.get(
        f"{ROOT}/studies/{STUDY}", headers={"Accept": f"{DICOM_ACCEPT}; transfer-syntax=*"}
    )
    assert response.status_code == 307
    fetched = requests.get(response.headers["Location"], timeout=10)
    assert fetched.status_code == 200
    boundary = related_boundary(parse_content_type(fetched.headers["Content-Type"]))
    assert [p.content for p in parse_related(fetched.content, boundary)] == list(files.values())


# -- metadata -------------------------------------------------------------------------------


def _metadata(client: Any, path: str) -> list[dict[str, Any]]:
    response = client.http.get(f"{ROOT}/{path}/metadata", headers={"Host": "viewer.example"})
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/dicom+json"
    return json.loads(response.body)


def test_metadata_with_bulk_data_uris_served_by_bulk(client: Any) -> None:
    sop = f"{SERIES[0]}.1"
    data = make_instance(study_uid=STUDY, series_uid=SERIES[0], sop_uid=sop, size=8)
    dataset = pydicom.dcmread(io.BytesIO(data))
    item = pydicom.Dataset()
    item.ReferencedSOPInstanceUID = "1.2.3"
    item.add_new(0x00091010, "OB", b"ab")
    dataset.add_new(0x00091001, "LO", "CREATOR")
    dataset.add_new(0x00081140, "SQ", [item])
    dataset.add_new(0x00420011, "OB", b"pdfdata!")
    dataset.add_new(0x00420012, "OB", b"")
    out = io.BytesIO()
    dataset.save_as(out)
    upload(client, out.getvalue())
    instances = _metadata(client, f"studies/{STUDY}/series/{SERIES[0]}/instances/{sop}")
    assert len(instances) == 1
    metadata = instances[0]
    base = f"http://viewer.example{ROOT}/studies/{STUDY}/series/{SERIES[0]}/instances/{sop}/bulk"
    assert metadata["7FE00010"] == {"vr": "OW", "BulkDataURI": f"{base}/7fe00010"}
    assert metadata["00420011"] == {"vr": "OB", "BulkDataURI": f"{base}/00420011"}
    assert metadata["00420012"] == {"vr": "OB"}
    nested = metadata["00081140"]["Value"][0]["00091010"]
    assert nested == {"vr": "OB", "BulkDataURI": f"{base}/00081140/1/00091010"}
    assert metadata["00080018"] == {"vr": "UI", "Value": [sop]}
    for uri, value in (
        (f"{base}/7fe00010", dataset.PixelData),
        (f"{base}/00420011", b"pdfdata!"),
        (f"{base}/00081140/1/00091010", b"ab"),
    ):
        path = uri.removeprefix("http://viewer.example")
        assert _parts(client.http.get(path)) == [value]
    for path, status in (
        (f"{base}/00081140/0/00091010", 404),
        (f"{base}/00081140/1", 400),
        (f"{base}/00189999", 404),
        (f"{base}/zz", 400),
    ):
        assert client.http.get(path.removeprefix("http://viewer.example")).status_code == status
    assert _metadata(client, f"studies/{STUDY}") == _metadata(
        client, f"studies/{STUDY}/series/{SERIES[0]}"
    )


def test_study_metadata_of_a_stable_study_reads_one_document_per_series(
    client: Any, stored: dict[str, bytes], feed: Any
) -> None:
    _store(client, _files(SERIES[1], count=3))
    _stable(feed)  # StableSeries writes each series' document
    with aws_requests() as calls:
        instances = _metadata(client, f"studies/{STUDY}")
    uids = [i["00080018"]["Value"][0] for i in instances]
    # Series one after the other (by Orthanc ID), each in InstanceNumber order.
    expected = [[f"{SERIES[0]}.{n}" for n in (1, 2)], [f"{SERIES[1]}.{n}" for n in (1, 2, 3)]]
    assert uids in ([*expected[0], *expected[1]], [*expected[1], *expected[0]])
    # ByUid, the study's partition; one GetObject per series, none of an instance file.
    assert calls["Query"] == 2
    assert calls["GetObject"] == 2
    assert calls["GetObject:dicomweb-metadata"] == 2
    assert calls["GetObject:dicom"] == 0
    assert sum(calls[name] for name in ("GetItem", "BatchGetItem", "PutObject")) == 0


def test_a_new_instance_invalidates_the_cached_metadata(
    client: Any, stored: dict[str, bytes], feed: Any
) -> None:
    _stable(feed)
    before = _metadata(client, f"studies/{STUDY}")
    assert len(before) == 2
    # LastUpdate counts seconds, and the feed makes a series unstable again only for a later
    # one (replays are harmless): on AWS a series is declared stable StableAge seconds after
    # its last arrival, so the next arrival is always in a later second; here the stability
    # check ran at once, so the next second is waited for.
    time.sleep(1.05 - time.time() % 1)
    _store(client, _files(count=3))  # the third is new
    feed.pump()
    with aws_requests() as calls:
        after = _metadata(client, f"studies/{STUDY}")
    assert [i["00080018"]["Value"][0] for i in after] == [f"{SERIES[0]}.{n}" for n in (1, 2, 3)]
    assert calls["GetObject:dicom"] == 3  # the document was dropped: read from the files
    assert calls["PutObject"] == 0  # the series is unstable again: no document yet
    _stable(feed)
    with aws_requests() as calls:
        assert _metadata(client, f"studies/{STUDY}") == after
    assert calls["GetObject:dicom"] == 0


def test_a_deleted_instance_leaves_the_metadata(
    client: Any, stored: dict[str, bytes], feed: Any
) -> None:
    _stable(feed)
    assert len(_metadata(client, f"studies/{STUDY}/series/{SERIES[0]}")) == 2
    instance = _metadata(client, f"studies/{STUDY}/series/{SERIES[0]}")[0]
    sop = instance["00080018"]["Value"][0]
    found = json.loads(client.http.post("/tools/lookup", body=sop).body)
    assert client.http.delete(f"/instances/{found[0]['ID']}").status_code == 200
    feed.pump()
    remaining = _metadata(client, f"studies/{STUDY}")
    assert [i["00080018"]["Value"][0] for i in remaining] == [f"{SERIES[0]}.2"]


def test_metadata_in_xml_parts(client: Any, stored: dict[str, bytes]) -> None:
    response = client.http.get(
        f"{ROOT}/studies/{STUDY}/series/{SERIES[0]}/metadata",
        headers={"Accept": 'multipart/related; type="application/dicom+xml"'},
    )
    parts = _parts(response)
    assert len(parts) == 2
    assert all(b"<NativeDicomModel" in part and b"BulkData uri=" in part for part in parts)
    refused = client.http.get(f"{ROOT}/studies/{STUDY}/metadata", headers={"Accept": "image/png"})
    assert_orthanc_error(refused, 406, 34, "GET")


def test_the_feed_drops_documents_of_stable_series_only(client: Any, feed: Any) -> None:
    """Only a stable series has a metadata document: a new series, and one still receiving
    its study, cost the change feed no S3 request; an arrival in a stable series drops its
    document (the test above checks what is served then)."""
    _store(client, _files(SERIES[1], count=2))
    with aws_requests() as calls:
        feed.pump()  # a new series
    assert calls["DeleteObjects"] + calls["DeleteObject"] == 0
    time.sleep(1.05 - time.time() % 1)  # a later LastUpdate second (see the test above)
    _store(client, _files(SERIES[1], count=3))
    with aws_requests() as calls:
        feed.pump()  # an unstable series receiving more
    assert calls["DeleteObjects"] + calls["DeleteObject"] == 0
    _stable(feed)
    time.sleep(1.05 - time.time() % 1)
    _store(client, _files(SERIES[1], count=4))
    with aws_requests() as calls:
        feed.pump()  # a stable series receiving one more
    assert calls["DeleteObjects"] + calls["DeleteObject"] == 1
