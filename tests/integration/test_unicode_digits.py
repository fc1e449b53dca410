"""Numeric arguments are read as ASCII digits (issue 19, item 12): ``str.isdigit`` accepts
``²`` (which ``int`` refuses: a 500) and ``١`` (which ``int`` reads as 1). Each one must be
answered as any other non-number is."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.errors import OrthancError
from tests.integration.helpers import upload
from tests.support.dicom_factory import make_instance

UNICODE_DIGITS = ["²", "١", "٣٢"]
ACCEPT = {"Accept": "image/jpeg"}


@pytest.mark.parametrize(
    "template",
    [
        "/changes?since={}",
        "/changes?limit={}",
        "/exports?since={}",
        "/instances/{{id}}/frames/{}/preview",
        "/instances/{{id}}/frames/-{}/preview",
        "/instances/{{id}}/preview?quality={}",
        "/instances/{{id}}/rendered?width={}",
    ],
)
def test_unicode_digits_answer_as_non_numbers(client: Any, template: str) -> None:
    instance = upload(client, make_instance("U1"))["ID"]
    expected = client.http.get(template.format("x").format(id=instance), headers=ACCEPT)
    assert 400 <= expected.status_code < 500
    for digits in UNICODE_DIGITS:
        url = template.format(digits).format(id=instance)
        answer = client.http.get(url, headers=ACCEPT)
        assert (answer.status_code, _code(answer)) == (expected.status_code, _code(expected)), url


def _code(answer: Any) -> Any:
    return json.loads(answer.body).get("OrthancStatus") if answer.body else None


@pytest.mark.parametrize("index", ["²", "١", "-١"])
def test_query_answer_index_is_ascii(client: Any, index: str) -> None:
    from chalicelib import bootstrap
    from chalicelib.services.dicom_asked.query import StoredQuery

    query = StoredQuery("q", "m", "Study", {}, [{"0010,0020": "P"}, {"0010,0020": "Q"}])
    with pytest.raises(OrthancError) as refused:
        bootstrap.queries().answer(query, index)
    assert refused.value.code.name == "BAD_PARAMETER_TYPE"
