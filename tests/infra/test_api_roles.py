"""The Cognito groups that give the API's roles, as the auth construct declares them."""

from __future__ import annotations

from chalicelib.credentials import GROUP_ROLES
from tests.infra.test_api_auth_options import synthesize


def groups(template: dict) -> set[str]:
    return {
        resource["Properties"]["GroupName"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Cognito::UserPoolGroup"
    }


def test_a_created_pool_has_a_group_per_role() -> None:
    assert groups(synthesize("create")) == set(GROUP_ROLES)


def test_an_existing_pool_is_left_to_its_owner() -> None:
    """Its owner creates groups of the same names (docs/deploy.md)."""
    assert groups(synthesize("eu-west-1_AbC", ("one",))) == set()
