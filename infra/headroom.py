"""How far the synthesized stack stays from the two deployment limits that grow with the API.

API Gateway allows 300 resources per REST API by default (a resource per distinct path
prefix), and CloudFormation refuses a template above 1 MB. One resource and method per route
reached 144 resources and 442 KB at 140 paths; the greedy proxy (``infra/chalice_app.py``)
keeps both flat. The budgets here are what a test and ``make synth`` hold the stack to, far
enough below the limits that an unnoticed change in the API's shape fails here, not at the
first deployment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.chalice_app import ANY_METHOD, HTTP_METHODS

RESOURCE_BUDGET = 150
TEMPLATE_BUDGET = 700 * 1024
API_TYPES = ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi")
OPERATIONS = HTTP_METHODS | {ANY_METHOD}


@dataclass(frozen=True)
class Headroom:
    resources: int
    methods: int
    templates: dict[str, int]  # template file name: bytes

    def problems(self) -> list[str]:
        found = [
            f"{name} is {size / 1024:.0f} KB (budget {TEMPLATE_BUDGET // 1024} KB)"
            for name, size in self.templates.items()
            if size > TEMPLATE_BUDGET
        ]
        if self.resources > RESOURCE_BUDGET:
            found.append(f"the REST API has {self.resources} resources (budget {RESOURCE_BUDGET})")
        return found

    def report(self) -> str:
        sizes = ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in self.templates.items())
        return (
            f"REST API: {self.resources} API Gateway resources (budget {RESOURCE_BUDGET}), "
            f"{self.methods} methods; templates: {sizes} (budget {TEMPLATE_BUDGET // 1024} KB)"
        )


def api_gateway_resources(paths: dict[str, Any]) -> int:
    """The resources API Gateway creates for ``paths``: one per distinct path prefix, the
    root included."""
    prefixes = {"/"}
    for path in paths:
        segments = [segment for segment in path.split("/") if segment]
        prefixes.update("/" + "/".join(segments[:end]) for end in range(1, len(segments) + 1))
    return len(prefixes)


def measure(cdk_out: Path) -> Headroom:
    """The figures of every template in ``cdk_out`` and of the REST APIs they define."""
    resources = methods = 0
    templates = {}
    for path in sorted(cdk_out.glob("*.template.json")):
        text = path.read_text("utf-8")
        templates[path.name] = len(text.encode("utf-8"))
        for resource in json.loads(text).get("Resources", {}).values():
            body = resource.get("Properties", {}).get("DefinitionBody")
            if resource.get("Type") in API_TYPES and body:
                resources += api_gateway_resources(body["paths"])
                methods += sum(
                    1 for ops in body["paths"].values() for key in ops if key in OPERATIONS
                )
    return Headroom(resources, methods, templates)
