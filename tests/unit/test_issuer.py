"""The local token issuer: its key made once, readable by its owner only, and published."""

from __future__ import annotations

import stat

from dev.issuer import KEY_FILE, LocalIssuer, SigningKey, jwk_thumbprint


def test_the_signing_key_is_made_once_readable_by_its_owner_only(tmp_path):
    first = SigningKey.load_or_create(tmp_path / "issuer")
    second = SigningKey.load_or_create(tmp_path / "issuer")
    assert first.kid == second.kid
    mode = stat.S_IMODE((tmp_path / "issuer" / KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_the_kid_is_the_rfc_7638_thumbprint_of_the_public_key():
    # RFC 7638 section 3.1: the example key and its thumbprint.
    example = {
        "kty": "RSA",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSo"
            "c_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YG"
            "jQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdk"
            "t-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnq"
            "DKgw"
        ),
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(example) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    key = SigningKey.generate()
    assert key.kid == jwk_thumbprint(key.public_jwk)


def test_a_token_verifies_with_the_published_keys_only(tmp_path):
    issuer = LocalIssuer(SigningKey.generate(), "http://127.0.0.1:9")
    claims = issuer.verifier()(issuer.token("ada", admin=True))
    assert (claims["sub"], claims["cognito:groups"], claims["iss"]) == (
        "ada",
        ["admin"],
        "http://127.0.0.1:9",
    )
    assert all("d" not in key for key in issuer.jwks()["keys"])
