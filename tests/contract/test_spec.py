"""The contract itself: a valid OpenAPI 3.0 document, every operation implemented."""

from __future__ import annotations

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from api.functions.builders import local_app
from api.paths import SPEC_PATH
from api.spec import HTTP_METHODS
from api.users.service import UserService
from dev.fakes import InMemoryUserRepository
from tests.identity import verify


def test_the_spec_is_a_valid_openapi_3_0_document():
    spec, _ = read_from_filename(str(SPEC_PATH))
    assert spec["openapi"].startswith("3.0.")
    validate(spec)


def test_every_operation_has_an_id_a_tag_a_summary_and_a_description():
    spec, _ = read_from_filename(str(SPEC_PATH))
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                missing = {"operationId", "tags", "summary", "description"} - set(operation)
                assert not missing, f"{method.upper()} {path} lacks {missing}"


def test_every_operation_in_the_spec_resolves_to_a_function(settings):
    # Connexion raises at build time for an operationId it cannot resolve.
    local_app(settings, users=UserService(InMemoryUserRepository()), authenticate=verify)
