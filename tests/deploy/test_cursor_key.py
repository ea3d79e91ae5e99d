"""The cursors' key: a secret generated at deploy time, never in the template or the code,
resolved by CloudFormation into both functions' environment; the roles cannot read it; a
rotation passes the previous version for a while."""

from __future__ import annotations

import re

from api.resources import FUNCTIONS, SECRETS
from api.rules.cursors import MIN_KEY_BYTES
from deploy.api_definition import TEMPLATE_PATH
from tests.deploy.stack import names_referenced

SECRET = SECRETS["cursor"]
FUNCTION_IDS = tuple(function.logical_id for function in FUNCTIONS.values())


def test_the_key_is_generated_at_deploy_time_long_and_plain(stack):
    (name,) = stack.of_type("AWS::SecretsManager::Secret")
    assert name == SECRET.logical_id
    properties = stack.properties(name)

    assert "SecretString" not in properties  # never a value in the template
    generated = properties["GenerateSecretString"]
    assert generated["PasswordLength"] >= 2 * MIN_KEY_BYTES
    # Letters and digits only: nothing a dynamic reference or an environment would mangle.
    assert generated["ExcludePunctuation"] is True
    assert generated["IncludeSpace"] is False
    assert not {"SecretStringTemplate", "GenerateStringKey"} & set(generated)


def test_every_function_that_lists_gets_the_key_as_a_dynamic_reference(stack):
    for function in FUNCTIONS.values():
        assert SECRET.key in function.secrets
        variables = stack.properties(function.logical_id)["Environment"]["Variables"]
        value = variables[SECRET.env]
        assert value == {
            "Fn::Sub": f"{{{{resolve:secretsmanager:${{{SECRET.logical_id}}}:SecretString}}}}"
        }
        assert names_referenced(value) == {SECRET.logical_id}


def test_the_previous_key_is_passed_only_while_a_rotation_names_its_version(sam_template, stack):
    parameter = sam_template["Parameters"]["PreviousCursorKeyVersionId"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("")
    assert pattern.fullmatch("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE")  # a VersionId
    assert not pattern.fullmatch("AWSPREVIOUS:x}}")
    assert stack.template["Conditions"]["HasPreviousCursorKey"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "PreviousCursorKeyVersionId"}, ""]}]
    }
    for name in FUNCTION_IDS:
        previous = stack.properties(name)["Environment"]["Variables"][SECRET.previous_env]
        condition, during, otherwise = previous["Fn::If"]
        assert condition == "HasPreviousCursorKey"
        assert names_referenced(during) == {SECRET.logical_id, "PreviousCursorKeyVersionId"}
        assert during["Fn::Sub"].endswith(":SecretString::${PreviousCursorKeyVersionId}}}")
        assert otherwise == {"Ref": "AWS::NoValue"}


def test_no_role_may_read_the_secret_or_decrypt_it(stack):
    # CloudFormation resolves the reference with the deployer's rights; the functions only
    # see their own environment.
    for name in FUNCTION_IDS:
        assert stack.actions(name, "secretsmanager") == set()
        assert stack.actions(name, "kms") == set()


def test_no_key_is_written_in_the_template():
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"\s*CURSOR_KEY(_PREVIOUS)?:", line):
            assert "resolve:secretsmanager" in line or line.rstrip().endswith("!If"), line
