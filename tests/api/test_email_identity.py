"""Emails over HTTP, tried as an attacker spells them: one address is one user however it is
written, and an email that normalisation would take outside the schema is a 400 naming it,
never a stored value that breaks the listings."""

from __future__ import annotations

import boto3
import pytest

from tests.api.problems import assert_problem

A_LABEL = "xn--bcher-kva.example"
U_LABEL = "b\u00fccher.example"
# 254 characters as sent, valid; 255 once "İ" is lower-cased to "i" and U+0307.
TOO_LONG_ONCE_LOWERED = "\u0130" + "a" * (254 - len("\u0130@example.com")) + "@example.com"


def stored_items(settings):
    dynamodb = boto3.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    return dynamodb.scan(TableName=settings.table("users"))["Items"]


def create(client, email, name="Ada"):
    return client.post("/users", json={"email": email, "name": name})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("ren\u00e9@example.com", "rene\u0301@example.com", id="nfc-vs-nfd"),
        pytest.param(f"ada@{U_LABEL}", f"ada@{A_LABEL}", id="u-label-vs-a-label"),
        pytest.param(f"ada@{A_LABEL}", "Ada@Xn--Bcher-Kva.EXAMPLE", id="mixed-case-a-label"),
        pytest.param(
            "ada@example.com",
            "ada@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
            id="fullwidth-domain",
        ),
        pytest.param("ada@example.com", "ada@example.com.", id="trailing-dot"),
        pytest.param("\u0130@example.com", "i\u0307@example.com", id="turkish-dotted-i"),
    ],
)
def test_a_second_spelling_of_a_taken_email_is_409_and_stores_nothing(
    client, settings, first, second
):
    ada = create(client, first).json()

    assert_problem(create(client, second, "Impostor"), 409, "email")
    assert len(stored_items(settings)) == 2  # the user and its email's guard
    found = client.get("/users", params={"email": second}).json()["items"]
    assert found == [ada]


def test_the_stored_email_is_the_normal_form_and_its_guard_follows(client, settings):
    user = create(client, "  Ada@XN--BCHER-KVA.Example.\t").json()

    assert user["email"] == f"ada@{U_LABEL}"
    keys = sorted(item["userId"]["S"] for item in stored_items(settings))
    assert keys == sorted([user["userId"], f"email#ada@{U_LABEL}"])


def test_an_email_too_long_once_lower_cased_is_400_and_nothing_is_stored(client, settings):
    assert len(TOO_LONG_ONCE_LOWERED) == 254

    response = create(client, TOO_LONG_ONCE_LOWERED)

    assert_problem(response, 400, "'email' is longer than 254 characters once normalized")
    assert stored_items(settings) == []
    assert client.get("/users").json() == {"items": [], "nextCursor": None}


def test_a_change_to_an_email_too_long_once_lower_cased_is_400_and_changes_nothing(client):
    user = create(client, "ada@example.com").json()
    path = f"/users/{user['userId']}"

    response = client.patch(path, json={"email": TOO_LONG_ONCE_LOWERED})

    assert_problem(response, 400, "'email'")
    assert client.get(path).json() == user


def test_a_filter_too_long_once_lower_cased_is_400_naming_email(client):
    response = client.get("/users", params={"email": TOO_LONG_ONCE_LOWERED})
    assert_problem(response, 400, "'email'")


def test_every_listing_page_stays_valid_whatever_emails_were_sent(client):
    for email in ("\u0130" * 100 + "@example.com", f"x@{A_LABEL}", "y@[192.0.2.1]"):
        assert create(client, email).status_code == 201
    page = client.get("/users")
    assert page.status_code == 200
    emails = sorted(user["email"] for user in page.json()["items"])
    assert emails == sorted(["i\u0307" * 100 + "@example.com", f"x@{U_LABEL}", "y@[192.0.2.1]"])
