"""The web client's config as `make run` serves it: every field the client requires, and the
same sign-in as the template's Cognito app client expects of it."""

from __future__ import annotations

import re

from api.paths import ROOT
from dev.issuer import LocalIssuer, SigningKey
from dev.web_client import DEFAULT_WEB_PORT, client_config, web_origin
from tests.deploy.stack import load_template

API = "http://127.0.0.1:8000"


def local_config() -> dict[str, str]:
    issuer = LocalIssuer(SigningKey.generate(), API)
    return client_config(issuer, API, web_origin(DEFAULT_WEB_PORT))


def test_the_config_has_every_field_the_client_requires():
    source = (ROOT / "web" / "src" / "config.ts").read_text(encoding="utf-8")
    listed = re.search(r"const REQUIRED = \[(.*?)\] as const", source, re.DOTALL)
    assert listed is not None
    required = set(re.findall(r'"(\w+)"', listed.group(1)))

    assert required
    assert required <= set(local_config())


def test_the_client_is_sent_back_where_the_template_lets_cognito_send_it():
    template = load_template()
    callback = template["Parameters"]["CallbackUrls"]["Default"]

    assert local_config()["redirectUri"] == callback


def test_the_client_asks_for_scopes_the_template_gives_its_app_client():
    app_client = load_template()["Resources"]["UserPoolClient"]["Properties"]

    assert set(local_config()["scope"].split()) <= set(app_client["AllowedOAuthScopes"])
    assert app_client["AllowedOAuthFlows"] == ["code"]
