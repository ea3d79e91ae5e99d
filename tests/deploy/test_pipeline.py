"""The CI/CD workflows, valid against GitHub's published workflow schema (vendored in
check-jsonschema, so offline), doing what the README says; and the pipeline's AWS roles."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from cfnlint.api import lint_file

from api.paths import ROOT
from tests.deploy.stack import as_list, load_template

WORKFLOWS = ROOT / ".github" / "workflows"
PIPELINE_ROLE = ROOT / "deploy" / "pipeline-role.yaml"
# Any attempt to reach the network goes to a port where nothing listens.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}


def check_workflows(*paths):
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE},
        check=False,
    )


def workflow(name):
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True)
    return document


def steps_run(job):
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job):
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_every_workflow_is_valid_against_githubs_schema_offline():
    result = check_workflows(*sorted(WORKFLOWS.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in WORKFLOWS.glob("*.yml")} == {"tests.yml", "deploy.yml"}


def test_the_schema_check_refuses_a_workflow_github_would_refuse(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    steps:\n      - run: make test\n")
    result = check_workflows(broken)
    assert result.returncode == 1
    assert "runs-on" in result.stdout


def test_every_pull_request_runs_make_test_without_aws_access():
    tests = workflow("tests.yml")
    assert set(tests["on"]) == {"pull_request"}
    assert tests["permissions"] == {"contents": "read"}
    (job,) = tests["jobs"].values()
    assert "make test" in steps_run(job)
    assert "aws-actions/configure-aws-credentials" not in uses(job)


def test_main_is_tested_built_deployed_to_staging_contract_tested_approved_then_deployed():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"] == {"branches": ["main"]}
    jobs = deploy["jobs"]
    assert [(name, job.get("needs")) for name, job in jobs.items()] == [
        ("test", None),
        ("build", "test"),
        ("staging", "build"),
        ("production", "staging"),
    ]
    assert "make test" in steps_run(jobs["test"])
    assert "sam build" in steps_run(jobs["build"])
    staging = steps_run(jobs["staging"])
    assert staging.index("sam deploy") < staging.index('make contract URL="$URL"')
    assert '--stack-name "$STACK_PREFIX-staging"' in staging
    # The manual approval: the production environment's required reviewers.
    assert jobs["production"]["environment"] == "production"
    assert '--stack-name "$STACK_PREFIX-production"' in steps_run(jobs["production"])
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_only_the_deploy_jobs_may_ask_for_an_oidc_token_and_they_assume_the_deploy_role():
    deploy = workflow("deploy.yml")
    assert deploy["permissions"] == {"contents": "read"}
    for name, job in deploy["jobs"].items():
        deploys = name in ("staging", "production")
        assert (job.get("permissions", {}).get("id-token") == "write") is deploys, name
        assert ("aws-actions/configure-aws-credentials" in uses(job)) is deploys, name
        if deploys:
            (credentials,) = [
                s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")
            ]
            assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
            assert job["environment"] == name
            assert '--role-arn "${{ vars.CLOUDFORMATION_ROLE_ARN }}"' in steps_run(job)


@pytest.fixture(scope="module")
def pipeline():
    return load_template(PIPELINE_ROLE)


def test_the_pipeline_template_passes_cfn_lint():
    matches = lint_file(PIPELINE_ROLE)
    assert not matches, "\n".join(str(m) for m in matches)


def test_only_the_repositorys_staging_and_production_environments_may_assume_the_deploy_role(
    pipeline,
):
    (statement,) = pipeline["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    condition = statement["Condition"]
    assert set(condition) == {"StringEquals"}  # no wildcard on the subject
    assert (
        condition["StringEquals"]["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    )
    subjects = condition["StringEquals"]["token.actions.githubusercontent.com:sub"]
    assert subjects == [
        {"Fn::Sub": "repo:${GitHubRepository}:environment:staging"},
        {"Fn::Sub": "repo:${GitHubRepository}:environment:production"},
    ]


def statements(pipeline, role):
    for policy in pipeline["Resources"][role]["Properties"]["Policies"]:
        yield from as_list(policy["PolicyDocument"]["Statement"])


def test_the_deploy_role_only_drives_cloudformation_uploads_and_passes_one_role(pipeline):
    services = set()
    for statement in statements(pipeline, "DeployRole"):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            assert "*" not in action
            services.add(action.split(":")[0])
        if "iam:PassRole" in as_list(statement["Action"]):
            assert statement["Resource"] == {"Fn::GetAtt": ["CloudFormationExecutionRole", "Arn"]}
            assert statement["Condition"] == {
                "StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}
            }
    assert services == {"cloudformation", "s3", "iam", "cognito-idp"}
    deploy = list(statements(pipeline, "DeployRole"))
    (administrator,) = [s for s in deploy if s.get("Sid") == "ContractSuiteAdministrator"]
    # Only what signing in the contract suite's administrator needs.
    assert {action.split(":")[0] for action in as_list(administrator["Action"])} == {"cognito-idp"}
    assert all(a.startswith("cognito-idp:Admin") for a in as_list(administrator["Action"]))
    stacks = [
        s
        for s in statements(pipeline, "DeployRole")
        if "cloudformation:ExecuteChangeSet" in as_list(s["Action"])
    ]
    assert [s["Resource"]["Fn::Sub"].split(":stack/")[1] for s in stacks] == ["${StackPrefix}-*/*"]


def test_cloudformation_may_change_roles_of_the_two_stacks_only_never_its_own(pipeline):
    own = {
        pipeline["Resources"][role]["Properties"]["RoleName"]["Fn::Sub"]
        for role in ("DeployRole", "CloudFormationExecutionRole")
    }
    for statement in statements(pipeline, "CloudFormationExecutionRole"):
        if any(action.startswith("iam:") for action in as_list(statement["Action"])):
            for resource in as_list(statement["Resource"]):
                pattern = resource["Fn::Sub"].split(":role/")[1]
                assert pattern in ("${StackPrefix}-staging-*", "${StackPrefix}-production-*")
                assert not any(name.startswith(pattern.rstrip("*")) for name in own)
