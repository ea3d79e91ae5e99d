"""template.yaml packaged and transformed offline as `sam deploy` would, and queries on it;
and what CloudFormation makes of it with given parameters (conditions and rules decided)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from api.resources import FUNCTIONS, TABLES
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
    """How the template names the table the functions use: `table`, or, for a recoverable
    table, the existing one (a restored table) that the parameter Existing<table> names."""
    if not next(t for t in TABLES.values() if t.logical_id == table).recoverable:
        return {"Ref": table}
    return {"Fn::If": [f"UsesExisting{table}", {"Ref": f"Existing{table}"}, {"Ref": table}]}


def function_in_use(function: str, suffix: str = "") -> dict[str, Any]:
    """How the template names the registered function `function` (its Python logical id)
    where either runtime's may be meant: its TypeScript twin's name when Runtime is nodejs,
    by Ref or, with `suffix` (":live"), by Sub."""
    (registered,) = [f for f in FUNCTIONS.values() if f.logical_id == function]

    def name(logical_id: str) -> dict[str, Any]:
        return {"Fn::Sub": f"${{{logical_id}}}{suffix}"} if suffix else {"Ref": logical_id}

    return {"Fn::If": ["UsesNode", name(registered.node_logical_id), name(function)]}


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


_LEFT_OUT = object()  # what Ref AWS::NoValue becomes, before it is dropped from its parent


class Deployment:
    """A template with parameter values (the others at their defaults), decided as
    CloudFormation decides them: conditions, Fn::If, Ref to a parameter and rules. Fn::Sub
    of a parameter is left as it is."""

    def __init__(self, template: Mapping[str, Any], parameters: Mapping[str, str]) -> None:
        declared = template.get("Parameters", {})
        if unknown := set(parameters) - set(declared):
            raise KeyError(f"the template has no parameters {sorted(unknown)}")
        self.template = template
        self.values: dict[str, Any] = {}
        for name, declaration in declared.items():
            value = parameters.get(name, declaration.get("Default"))
            if value is not None:
                listed = declaration["Type"] == "CommaDelimitedList"
                self.values[name] = str(value).split(",") if listed else value
        self._decided: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._decided:
            self._decided[name] = self.holds(self.template["Conditions"][name])
        return self._decided[name]

    def holds(self, expression: Mapping[str, Any]) -> bool:
        """The truth of a condition or rule expression."""
        ((function, arguments),) = expression.items()
        if function == "Condition":
            return self.condition(arguments)
        if function == "Fn::Not":
            return not self.holds(arguments[0])
        if function == "Fn::And":
            return all(self.holds(argument) for argument in arguments)
        if function == "Fn::Or":
            return any(self.holds(argument) for argument in arguments)
        left, right = (self.resolve(argument) for argument in arguments)
        if function == "Fn::Equals":
            return bool(left == right)
        if function == "Fn::Contains":
            return right in left
        raise ValueError(f"{function} is not a condition function")

    def resolve(self, value: Any) -> Any:
        """`value` with Fn::If decided, parameters' values in place of their Ref and
        AWS::NoValue removed."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not _LEFT_OUT]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"} and value["Ref"] == "AWS::NoValue":
            return _LEFT_OUT
        if set(value) == {"Ref"} and value["Ref"] in self.values:
            return copy.deepcopy(self.values[value["Ref"]])
        if set(value) == {"Fn::If"}:
            name, if_true, if_false = value["Fn::If"]
            return self.resolve(if_true if self.condition(name) else if_false)
        entries = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in entries.items() if item is not _LEFT_OUT}

    def broken_rules(self) -> list[str]:
        """The descriptions of the rule assertions these parameters fail: CloudFormation
        refuses to deploy them."""
        return [
            assertion.get("AssertDescription", name)
            for name, rule in self.template.get("Rules", {}).items()
            if "RuleCondition" not in rule or self.holds(rule["RuleCondition"])
            for assertion in rule["Assertions"]
            if not self.holds(assertion["Assert"])
        ]

    def template_deployed(self) -> dict[str, Any]:
        """The resources and outputs that exist with these parameters, resolved."""
        kept = {
            section: {
                name: {key: item for key, item in entry.items() if key != "Condition"}
                for name, entry in self.template.get(section, {}).items()
                if "Condition" not in entry or self.condition(entry["Condition"])
            }
            for section in ("Resources", "Outputs")
        }
        rest = {k: v for k, v in self.template.items() if k not in {"Conditions", "Rules"}}
        resolved: dict[str, Any] = self.resolve({**rest, **kept})
        return resolved


RUNTIMES = ("python", "nodejs")
# What the tests deploy with: AllowedOrigins has no default.
REQUIRED_PARAMETERS = {"AllowedOrigins": "https://app.example.com"}


@dataclass(frozen=True)
class Stack:
    """A transformed (plain CloudFormation) template."""

    template: dict[str, Any]

    def deployed(self, **parameters: str) -> Stack:
        """This stack as CloudFormation creates it with `parameters`."""
        return Stack(Deployment(self.template, parameters).template_deployed())

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

    @property
    def api_body(self) -> dict[str, Any]:
        """The OpenAPI document the HTTP API is imported from."""
        (api,) = self.of_type("AWS::ApiGatewayV2::Api").values()
        body: dict[str, Any] = api["Properties"]["Body"]
        return body

    def api_operations(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(METHOD, path) -> the route's operation in the HTTP API's body."""
        return {
            ("ANY" if method == ANY_METHOD_KEY else method.upper(), path): operation
            for path, item in self.api_body["paths"].items()
            for method, operation in item.items()
        }

    def api_routes(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(METHOD, path) -> the route's API Gateway integration, from the HTTP API's body."""
        return {
            route: operation.get("x-amazon-apigateway-integration", {})
            for route, operation in self.api_operations().items()
        }


@dataclass(frozen=True)
class RuntimeStack:
    """The stack as CloudFormation creates it with the Runtime parameter `runtime`."""

    runtime: str
    stack: Stack

    @classmethod
    def of(cls, stack: Stack, runtime: str) -> RuntimeStack:
        return cls(runtime, stack.deployed(Runtime=runtime, **REQUIRED_PARAMETERS))

    def function_id(self, function: str) -> str:
        """The logical id that the registered function `function` (its Python logical id)
        has in this runtime."""
        (registered,) = [f for f in FUNCTIONS.values() if f.logical_id == function]
        return registered.node_logical_id if self.runtime == "nodejs" else function
