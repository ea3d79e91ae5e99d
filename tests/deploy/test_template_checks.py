"""The template passes cfn-lint and the SAM transform, offline."""

from __future__ import annotations

import json

from cfnlint.api import lint, lint_file

from deploy.api_definition import TEMPLATE_PATH
from tests.deploy.stack import names_referenced


def _report(matches) -> str:
    return "\n".join(str(match) for match in matches)


def test_cfn_lint_reports_nothing_on_the_template():
    matches = lint_file(TEMPLATE_PATH)
    assert not matches, _report(matches)


def consumed_by_the_transform(sam_template, stack):
    """Parameters the SAM transform resolves itself (DeploymentPreference's Type): used in
    the template, no longer referenced in what it makes of it."""
    used = names_referenced(sam_template["Resources"]) | names_referenced(sam_template["Globals"])
    left = names_referenced(stack.template["Resources"])
    return {name for name in sam_template["Parameters"] if name in used - left}


def test_cfn_lint_reports_nothing_on_the_transformed_template(sam_template, stack):
    # Only the transformed template shows what SAM adds (the bucket's dependency on the
    # function's S3 permission, for one), so only here can cfn-lint see a circular dependency.
    consumed = consumed_by_the_transform(sam_template, stack)
    matches = [
        match
        for match in lint(json.dumps(stack.template))
        if not (
            match.rule.id == "W2001" and any(f"Parameter {p} " in match.message for p in consumed)
        )
    ]
    assert not matches, _report(matches)
    assert consumed == {"DeploymentStrategy"}


def test_the_sam_transform_leaves_only_cloudformation_resources(stack):
    types = {resource["Type"] for resource in stack.resources.values()}
    assert not {t for t in types if t.startswith("AWS::Serverless::")}
    assert "Transform" not in stack.template
