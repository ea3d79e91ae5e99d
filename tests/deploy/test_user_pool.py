"""The stack's own issuer, by default: a Cognito user pool with hosted sign-in, a resource
server scope, a public app client for browsers and the group of administrators; and the
settings of identity and rate limits that both functions are given."""

from __future__ import annotations

import pytest

from api.resources import FUNCTIONS
from api.settings import Settings

COGNITO_RESOURCES = {
    "UserPool": "AWS::Cognito::UserPool",
    "UserPoolDomain": "AWS::Cognito::UserPoolDomain",
    "UserPoolResourceServer": "AWS::Cognito::UserPoolResourceServer",
    "UserPoolClient": "AWS::Cognito::UserPoolClient",
    "UserPoolAdminGroup": "AWS::Cognito::UserPoolGroup",
}
FUNCTION_IDS = tuple(function.logical_id for function in FUNCTIONS.values())


def test_the_cognito_resources_exist_only_without_another_issuer(stack):
    cognito = {
        name: resource["Type"]
        for name, resource in stack.resources.items()
        if resource["Type"].startswith("AWS::Cognito::")
    }
    assert cognito == COGNITO_RESOURCES
    for name in cognito:
        assert stack.resources[name]["Condition"] == "UseCognito", name
    assert stack.template["Conditions"]["UseCognito"] == {"Fn::Equals": [{"Ref": "JwtIssuer"}, ""]}


def test_the_user_pool_signs_in_by_email_with_a_strong_password_and_optional_mfa(stack):
    pool = stack.properties("UserPool")
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols")
    )
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    # Accounts are made by administrators: nobody can sign themselves up to the API.
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_the_user_pool_cannot_be_deleted_by_accident(stack):
    assert stack.properties("UserPool")["DeletionProtection"] == "ACTIVE"
    assert stack.resources["UserPool"]["DeletionPolicy"] == "Retain"
    assert stack.resources["UserPool"]["UpdateReplacePolicy"] == "Retain"


def test_the_hosted_sign_in_domain_is_named_after_the_stack(stack):
    domain = stack.properties("UserPoolDomain")
    assert domain["UserPoolId"] == {"Ref": "UserPool"}
    assert domain["Domain"] == {"Fn::Sub": "${AWS::StackName}-auth"}


def test_the_app_client_is_a_public_browser_client_with_the_code_grant_and_the_api_scope(
    stack, sam_template
):
    server = stack.properties("UserPoolResourceServer")
    (scope,) = server["Scopes"]
    api_scope = f"{server['Identifier']}/{scope['ScopeName']}"
    client = stack.properties("UserPoolClient")

    assert client["UserPoolId"] == server["UserPoolId"] == {"Ref": "UserPool"}
    assert client["GenerateSecret"] is False  # a browser cannot keep one: PKCE instead
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", api_scope}
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    # The scope must exist before a client may be allowed it.
    assert stack.resources["UserPoolClient"]["DependsOn"] == "UserPoolResourceServer"
    # No password sent by a client without IAM credentials: SRP, or the admin flow that
    # needs cognito-idp:AdminInitiateAuth (operators and CI, README).
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }


def test_sign_in_returns_to_the_callback_urls_parameter(stack, sam_template):
    client = stack.properties("UserPoolClient")
    assert client["CallbackURLs"] == {"Ref": "CallbackUrls"}
    assert client["LogoutURLs"] == {"Ref": "CallbackUrls"}
    parameter = sam_template["Parameters"]["CallbackUrls"]
    assert parameter["Type"] == "CommaDelimitedList"
    assert parameter["Default"] == "http://localhost:3000/"


def test_the_admin_group_is_the_one_the_functions_treat_as_administrators(stack, sam_template):
    group = stack.properties("UserPoolAdminGroup")
    assert group["UserPoolId"] == {"Ref": "UserPool"}
    assert group["GroupName"] == {"Ref": "AdminGroup"}
    parameters = sam_template["Parameters"]
    defaults = Settings()
    assert parameters["AdminGroup"]["Default"] == defaults.admin_group == "admin"
    assert parameters["AdminClaim"]["Default"] == defaults.admin_claim == "cognito:groups"
    assert stack.deployed(AllowedOrigins="*").properties("UserPoolAdminGroup")["GroupName"] == (
        "admin"
    )


@pytest.mark.parametrize("function", FUNCTION_IDS)
def test_each_function_is_told_who_is_an_administrator_and_the_rate_limit(stack, function):
    variables = stack.properties(function)["Environment"]["Variables"]
    assert variables["ADMIN_CLAIM"] == {"Ref": "AdminClaim"}
    assert variables["ADMIN_GROUP"] == {"Ref": "AdminGroup"}
    assert variables["RATE_LIMIT_PER_MINUTE"] == {"Ref": "RateLimitPerMinute"}
    assert variables["RATE_LIMITS_TABLE"] == {"Ref": "RateLimitsTable"}


@pytest.mark.parametrize(
    ("parameters", "limit"),
    [({}, 600), ({"RateLimitPerMinute": "0"}, 0), ({"RateLimitPerMinute": "120"}, 120)],
    ids=["default", "off", "set"],
)
def test_the_functions_hold_callers_to_the_rate_limit_parameter(stack, parameters, limit):
    for function in FUNCTION_IDS:
        deployed = stack.deployed(AllowedOrigins="*", **parameters)
        variables = deployed.properties(function)["Environment"]["Variables"]
        settings = Settings.from_env({**as_lambda_environment(variables), **names_of(function)})
        assert settings.rate_limit_per_minute == limit, function


def test_the_rate_limit_parameter_cannot_be_negative(sam_template):
    assert sam_template["Parameters"]["RateLimitPerMinute"]["MinValue"] == 0


def as_lambda_environment(variables):
    """The variables that are plain values, as the strings Lambda passes."""
    return {name: str(value) for name, value in variables.items() if not isinstance(value, dict)}


def names_of(function):
    """Stand-ins for the resource names CloudFormation would put in the environment."""
    (registered,) = [f for f in FUNCTIONS.values() if f.logical_id == function]
    return {resource.env: "x" * 32 for resource in registered.resources}
