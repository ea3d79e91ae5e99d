"""The template passes cfn-lint and the SAM transform, offline."""

from __future__ import annotations

import json

from cfnlint.api import lint, lint_file

from deploy.api_definition import TEMPLATE_PATH


def _report(matches) -> str:
    return "\n".join(str(match) for match in matches)


def test_cfn_lint_reports_nothing_on_the_template():
    matches = lint_file(TEMPLATE_PATH)
    assert not matches, _report(matches)


def test_cfn_lint_reports_nothing_on_the_transformed_template(stack):
    # Only the transformed template shows what SAM adds (the bucket's dependency on the
    # function's S3 permission, for one), so only here can cfn-lint see a circular dependency.
    matches = lint(json.dumps(stack.template))
    assert not matches, _report(matches)


def test_the_sam_transform_leaves_only_cloudformation_resources(stack):
    types = {resource["Type"] for resource in stack.resources.values()}
    assert not {t for t in types if t.startswith("AWS::Serverless::")}
    assert "Transform" not in stack.template
