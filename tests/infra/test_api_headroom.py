"""The deployment limits that grow with the API: API Gateway's resources per REST API and
CloudFormation's template size, held to the budgets of infra/headroom.py."""

from __future__ import annotations

from infra.headroom import RESOURCE_BUDGET, TEMPLATE_BUDGET, api_gateway_resources, measure
from tests.conftest import PRINTED_AT_THE_END


def test_the_api_and_the_templates_stay_within_budget(synthesized, record_property) -> None:
    headroom = measure(synthesized.template_path.parent)
    record_property(PRINTED_AT_THE_END, headroom.report())
    assert synthesized.template_path.name in headroom.templates
    assert headroom.resources > 0, "no REST API found in the templates"
    assert headroom.problems() == [], headroom.report()


def test_resources_are_counted_as_api_gateway_creates_them() -> None:
    """One resource per distinct path prefix, the root included: 140 Chalice paths were 144."""
    paths = {"/instances": {}, "/instances/{id}": {}, "/instances/{id}/file": {}, "/tools/find": {}}
    assert api_gateway_resources(paths) == 6  # /, /instances, {id}, file, /tools, find
    assert api_gateway_resources({"/": {}, "/{proxy+}": {}}) == 2


def test_the_budgets_flag_what_is_over_them() -> None:
    from infra.headroom import Headroom

    fine = Headroom(resources=2, methods=2, templates={"Cirrus.template.json": 94_000})
    assert fine.problems() == []
    over = Headroom(RESOURCE_BUDGET + 1, 600, {"Cirrus.template.json": TEMPLATE_BUDGET + 2048})
    assert over.problems() == [
        "Cirrus.template.json is 702 KB (budget 700 KB)",
        "the REST API has 151 resources (budget 150)",
    ]
