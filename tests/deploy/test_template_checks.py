"""The template passes cfn-lint and the SAM transform, offline."""

from __future__ import annotations

import json

from cfnlint.api import lint, lint_file

from deploy.api_definition import TEMPLATE_PATH


def _report(matches) -> str:
    return "\n".join(str(match) for match in matches)


def _expected(match) -> bool:
    # SnapStart (PythonVersion 3.12+) snapshots published versions, which AutoPublishAlias
    # brings; until the functions have it, cfn-lint warns that no version is attached.
    return match.rule.id == "W2530" and "AutoPublishAlias:" not in TEMPLATE_PATH.read_text()


def test_cfn_lint_reports_nothing_on_the_template():
    matches = [m for m in lint_file(TEMPLATE_PATH) if not _expected(m)]
    assert not matches, _report(matches)


def test_cfn_lint_reports_nothing_on_the_transformed_template(stack):
    # Only the transformed template shows what SAM adds (the bucket's dependency on the
    # function's S3 permission, for one), so only here can cfn-lint see a circular dependency.
    matches = [m for m in lint(json.dumps(stack.template)) if not _expected(m)]
    assert not matches, _report(matches)


def test_the_sam_transform_leaves_only_cloudformation_resources(stack):
    types = {resource["Type"] for resource in stack.resources.values()}
    assert not {t for t in types if t.startswith("AWS::Serverless::")}
    assert "Transform" not in stack.template
