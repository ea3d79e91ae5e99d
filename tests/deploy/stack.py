"""template.yaml packaged and transformed offline as `sam deploy` would, and queries on it."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from deploy.api_definition import ANY_METHOD_KEY, TEMPLATE_PATH

# What `sam package` puts in place of a local CodeUri: the uploaded bundle.
PACKAGED_CODE_URI = "s3://sam-package-bucket/bundle.zip"
REGION = "us-east-1"
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}")


class NoManagedPolicies(ManagedPolicyLoader):  # type: ignore[misc]
    """The translator's view of IAM, offline: the template names no managed policy."""

    def __init__(self) -> None:
        super().__init__(boto3.client("iam", region_name=REGION))

    def load(self) -> dict[str, str]:
        return {}


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as the SAM CLI reads it: short-form intrinsics in their long form."""
    template: dict[str, Any] = yaml_parse(path.read_text(encoding="utf-8"))
    return template


def package(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of `template` with local code locations replaced by S3 URIs, as `sam package`."""
    packaged = copy.deepcopy(template)
    function_globals = packaged.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = PACKAGED_CODE_URI
    for resource in packaged["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function" and "CodeUri" in resource.get(
            "Properties", {}
        ):
            resource["Properties"]["CodeUri"] = PACKAGED_CODE_URI
    return packaged


def translate(template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template the SAM transform makes of `template`, offline."""
    parameters = {"AWS::Region": REGION, "AWS::Partition": "aws"}
    return transform(copy.deepcopy(template), parameters, NoManagedPolicies())


def table_in_use(table: str) -> dict[str, Any]:
    """How the template names the table the functions use: `table`, or the existing one
    (a restored table) that the parameter Existing<table> names."""
    return {"Fn::If": [f"UsesExisting{table}", {"Ref": f"Existing{table}"}, {"Ref": table}]}


def table_arn_in_use(table: str, suffix: str = "") -> dict[str, Any]:
    """The ARN of the table in use (see table_in_use), with `suffix` (e.g. "/index/*")."""
    existing = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"
    own: dict[str, Any] = (
        {"Fn::Sub": f"${{{table}.Arn}}{suffix}"} if suffix else {"Fn::GetAtt": [table, "Arn"]}
    )
    return {
        "Fn::If": [
            f"UsesExisting{table}",
            {"Fn::Sub": f"{existing}${{Existing{table}}}{suffix}"},
            own,
        ]
    }


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def names_referenced(value: Any) -> set[str]:
    """Logical ids and parameters that `value` refers to by Ref, GetAtt or Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= names_referenced(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref":
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add(item[0] if isinstance(item, list) else item.split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (item, {}) if isinstance(item, str) else item
                found |= set(_SUB_NAME.findall(text)) - set(variables)
                found |= names_referenced(variables)
            else:
                found |= names_referenced(item)
    return found


def resources_referenced(value: Any) -> set[str]:
    """The logical ids (not parameters or pseudo parameters) that `value` refers to."""
    return {name for name in names_referenced(value) if not name.startswith("AWS::")}


@dataclass(frozen=True)
class Stack:
    """A transformed (plain CloudFormation) template."""

    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            name: resource
            for name, resource in self.resources.items()
            if resource["Type"] == resource_type
        }

    def properties(self, logical_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = self.resources[logical_id]["Properties"]
        return properties

    def alias_of(self, function: str) -> str:
        """The logical id of the one alias of `function` (AutoPublishAlias), which everything
        that invokes the function must name, so that gradual deployments move them all."""
        (alias,) = [
            name
            for name, resource in self.of_type("AWS::Lambda::Alias").items()
            if names_referenced(resource["Properties"]["FunctionName"]) == {function}
        ]
        return alias

    def invoked(self, reference: Any) -> str:
        """The function whose alias `reference` (a Ref, GetAtt or Sub) names."""
        (alias,) = resources_referenced(reference)
        assert self.resources[alias]["Type"] == "AWS::Lambda::Alias", f"{alias} is no alias"
        (function,) = names_referenced(self.properties(alias)["FunctionName"])
        return function

    def role_of(self, function: str) -> str:
        """The logical id of the role `function` runs with."""
        (role,) = names_referenced(self.properties(function)["Role"])
        return role

    def statements(self, function: str) -> Iterator[dict[str, Any]]:
        """Every statement of every policy of the role `function` runs with."""
        role = self.properties(self.role_of(function))
        for policy in role.get("Policies", []):
            yield from as_list(policy["PolicyDocument"]["Statement"])

    def actions(self, function: str, service: str) -> set[str]:
        """The actions of `service` (e.g. "s3") that `function` is allowed."""
        return {
            action
            for statement in self.statements(function)
            if statement["Effect"] == "Allow"
            for action in as_list(statement["Action"])
            if action.split(":")[0] == service
        }

    def api_routes(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(METHOD, path) -> the route's API Gateway integration, from the HTTP API's body."""
        (api,) = self.of_type("AWS::ApiGatewayV2::Api").values()
        return {
            ("ANY" if method == ANY_METHOD_KEY else method.upper(), path): operation.get(
                "x-amazon-apigateway-integration", {}
            )
            for path, item in api["Properties"]["Body"]["paths"].items()
            for method, operation in item.items()
        }
