"""The caller a token's claims name, and who may see what."""

from __future__ import annotations

import pytest

from api.rules.errors import Unauthenticated
from api.rules.principal import Principal, is_subject, principal_from_claims


def admin_of(groups):
    claims = {"sub": "ada", "cognito:groups": groups}
    return principal_from_claims(claims, admin_claim="cognito:groups", admin_group="admin").admin


@pytest.mark.parametrize(
    "groups",
    [["admin"], ["staff", "admin"], "[admin]", "[staff admin]"],
    ids=["list", "list of two", "flattened", "flattened two"],
)
def test_a_member_of_the_admin_group_is_an_administrator(groups):
    assert admin_of(groups)


@pytest.mark.parametrize(
    "groups",
    [
        "admin",  # a plain string: neither a token's list nor API Gateway's flattening
        "x admin",
        "ops,admin",
        "admin]",
        "[not,admin]",
        "[Billing,admin]",
        ["ADMIN"],
        [" admin "],
        [["admin"]],
        None,
        7,
    ],
)
def test_nothing_else_makes_an_administrator(groups):
    assert not admin_of(groups)


@pytest.mark.parametrize(
    "subject", ["", " ", "alice\n", "a\u0000b", "\u202ealice", "x" * 256, 7, None]
)
def test_a_token_without_a_usable_subject_names_no_caller(subject):
    assert not is_subject(subject)
    with pytest.raises(Unauthenticated):
        principal_from_claims({"sub": subject}, admin_claim="g", admin_group="admin")


def test_a_caller_sees_its_own_and_an_administrator_everything():
    ada, admin = Principal("ada"), Principal("root", admin=True)
    assert ada.may_see("ada")
    assert not ada.may_see("bob")
    assert not ada.may_see(None)
    assert admin.may_see("bob")
    assert admin.may_see(None)
