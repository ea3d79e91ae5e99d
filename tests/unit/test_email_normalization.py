"""Emails are normalised once (trim, NFC, lower-cased local part, IDNA 2008 + UTS 46 domain)
and the normalised form always satisfies openapi.yaml's Email schema; spellings of one
address are one user, tried as an attacker would spell them."""

from __future__ import annotations

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.rules.errors import EmailTaken, InvalidRequest
from api.spec import load_spec
from api.users.service import (
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    UserQuery,
    UserService,
    normalize_email,
)
from dev.fakes import FakeClock, InMemoryUserRepository
from tests.identity import ADMIN_CALLER

EMAIL_SCHEMA = load_spec()["components"]["schemas"]["Email"]
# The schema as a client and Schemathesis read it: its pattern an ECMA-262 expression.
ecma_valid = jsonschema_rs.validator_for(EMAIL_SCHEMA).is_valid

NFD_E = "e\u0301"  # e and a combining acute: NFC makes it é
A_LABEL = "xn--bcher-kva.example"  # bücher.example


@pytest.fixture
def repository() -> InMemoryUserRepository:
    return InMemoryUserRepository()


@pytest.fixture
def users(repository) -> UserService:
    return UserService(repository, FakeClock())


def test_the_rules_checked_after_normalisation_are_the_specs_email_schema():
    assert EMAIL_SCHEMA["pattern"] == EMAIL_PATTERN
    assert EMAIL_SCHEMA["maxLength"] == EMAIL_MAX_LENGTH


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        pytest.param("  Ada@Example.COM\t", "ada@example.com", id="trimmed-and-lower-cased"),
        pytest.param(f"Ren{NFD_E}@example.com", "ren\u00e9@example.com", id="nfd-local-part"),
        pytest.param("ada@b\u00fccher.example", "ada@b\u00fccher.example", id="u-label"),
        pytest.param(f"ada@{A_LABEL}", "ada@b\u00fccher.example", id="a-label"),
        pytest.param("ada@XN--BCHER-KVA.Example", "ada@b\u00fccher.example", id="a-label-cased"),
        pytest.param("ada@Bu\u0308cher.example", "ada@b\u00fccher.example", id="nfd-domain"),
        pytest.param("ada@B\u00dcCHER.EXAMPLE", "ada@b\u00fccher.example", id="u-label-upper"),
        pytest.param(
            "ada@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
            "ada@example.com",
            id="fullwidth-domain",
        ),
        pytest.param("ada@example\u3002com", "ada@example.com", id="ideographic-full-stop"),
        pytest.param("ada@example.com.", "ada@example.com", id="trailing-root-dot"),
        pytest.param("ada@ex\u00adample.com", "ada@example.com", id="soft-hyphen-ignored"),
        pytest.param("\u0130@example.com", "i\u0307@example.com", id="turkish-dotted-capital-i"),
        pytest.param("I\u0307@example.com", "i\u0307@example.com", id="turkish-i-decomposed"),
        pytest.param("\u212aelvin@example.com", "kelvin@example.com", id="kelvin-sign"),
        pytest.param("\uff21da@example.com", "\uff41da@example.com", id="fullwidth-local-kept"),
        pytest.param("a@[192.0.2.1]", "a@[192.0.2.1]", id="address-literal-kept"),
        pytest.param("a@My_Host.Example", "a@my_host.example", id="no-hostname-lower-cased"),
    ],
)
def test_an_email_is_stored_in_its_one_normal_form(sent, stored):
    assert normalize_email(sent) == stored
    assert normalize_email(stored) == stored


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(f"ren{NFD_E}@example.com", "ren\u00e9@example.com", id="nfd-vs-nfc"),
        pytest.param("ada@b\u00fccher.example", f"ADA@{A_LABEL.upper()}", id="u-vs-a-label"),
        pytest.param(
            "ada@example.com",
            "ada@\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com",
            id="ascii-vs-fullwidth",
        ),
        pytest.param("ada@example.com", "ada@example.com.", id="trailing-dot"),
        pytest.param("\u0130@example.com", "i\u0307@example.com", id="dotted-capital-i"),
    ],
)
def test_two_spellings_of_one_address_are_one_user(users, repository, first, second):
    ada = users.create(ADMIN_CALLER, first, "Ada")

    with pytest.raises(EmailTaken):
        users.create(ADMIN_CALLER, second, "Impostor")
    assert list(repository.users) == [ada.user_id]
    assert users.list(ADMIN_CALLER, UserQuery(email=second), 10).items == [ada]


def test_an_email_that_lower_casing_makes_too_long_is_refused_and_nothing_is_stored(
    users, repository
):
    sent = "\u0130" + "a" * (EMAIL_MAX_LENGTH - len("\u0130@example.com")) + "@example.com"
    assert len(sent) == EMAIL_MAX_LENGTH
    assert ecma_valid(sent)

    with pytest.raises(InvalidRequest, match="'email' is longer than 254 characters"):
        users.create(ADMIN_CALLER, sent, "Ada")
    assert repository.users == {}


def test_a_change_to_an_email_too_long_once_normalised_changes_nothing(users):
    ada = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    sent = "\u0130" * 200 + "@example.com"  # 212 characters, 412 lower-cased
    with pytest.raises(InvalidRequest, match="'email' is longer than 254 characters"):
        users.update(ADMIN_CALLER, ada.user_id, {"email": sent})
    assert users.get(ADMIN_CALLER, ada.user_id) == ada


def test_a_filter_too_long_once_normalised_is_refused_naming_email(users):
    with pytest.raises(InvalidRequest, match="'email'"):
        users.list(ADMIN_CALLER, UserQuery(email="\u0130" * 250 + "@a.b"), 10)


def test_a_change_to_another_spelling_of_the_same_email_keeps_it(users):
    ada = users.create(ADMIN_CALLER, "ada@b\u00fccher.example", "Ada")
    changed = users.update(ADMIN_CALLER, ada.user_id, {"email": f"Ada@{A_LABEL}"})
    assert changed.email == ada.email
    other = users.create(ADMIN_CALLER, "grace@example.com", "Grace")
    with pytest.raises(EmailTaken):
        users.update(ADMIN_CALLER, other.user_id, {"email": f"ADA@{A_LABEL}."})


@pytest.mark.parametrize(
    "sent", ["no-at-sign", "@example.com", "ada@", " @ ", "a@\ud800", "\ud800@example.com"]
)
def test_what_is_no_email_once_normalised_is_refused_naming_the_field(sent):
    with pytest.raises(InvalidRequest, match="'email'"):
        normalize_email(sent)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.from_regex(EMAIL_PATTERN, fullmatch=True).filter(lambda s: 3 <= len(s) <= 254))
def test_any_valid_email_normalises_to_a_valid_email_that_is_its_own_normal_form(sent):
    lengthens = sent.lower() != sent or not sent.isascii()
    try:
        stored = normalize_email(sent)
    except InvalidRequest:
        assert lengthens  # the one way a valid email can stop being one: growing too long
        return
    assert ecma_valid(stored)
    assert stored == stored.strip(" \t")
    assert normalize_email(stored) == stored


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.text(min_size=1, max_size=20).filter(lambda s: "@" not in s),
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(
                [
                    "xn--bcher-kva",
                    "XN--BCHER-KVA",
                    "B\u00dcCHER",
                    "\u1e9e",
                    "\u03a3",
                    "\u03c2",
                    "\u0130",
                    "\u3392",
                    "\uff45\uff58",
                    "\u3002",
                    "_",
                    "-",
                ]
            ),
        ),
        min_size=1,
        max_size=4,
    ).map(".".join),
)
def test_odd_domains_normalise_to_their_own_normal_form(local, domain):
    try:
        stored = normalize_email(f"{local}@{domain}")
    except InvalidRequest:
        return
    assert ecma_valid(stored)
    assert normalize_email(stored) == stored
