"""The private names of Connexion and pynamodb this project relies on (api/web/seams.py,
api/aws/dynamo.py, api/web/validation.py): each test fails when a library changes one."""

from __future__ import annotations

import inspect

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.spec import Specification
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from pynamodb.connection import Connection
from starlette.testclient import TestClient

from api.aws.dynamo import model_connection, model_schema
from api.functions.builders import local_app
from api.users.storage import UserItem, bind_user_table
from api.web import seams
from api.web.validation import NamingParameterValidator, StrictJSONBodyValidator
from tests.identity import bearer, verify


def parameters(function):
    """The names of a function's parameters, without `self`."""
    return [name for name in inspect.signature(function).parameters if name != "self"]


NOT_A_SPEC = {"openapi": "3.0.3", "info": {"title": "x"}, "paths": {"/x": {"get": {}}}}


def test_connexion_validates_a_spec_by_the_method_the_seam_replaces():
    assert "_validate_spec" in Specification.__dict__
    with pytest.raises(InvalidSpecification):
        Specification.from_dict(NOT_A_SPEC)


def test_inside_the_block_connexion_does_not_validate_the_spec_and_after_it_does_again():
    with seams.skip_spec_validation():
        Specification.from_dict(NOT_A_SPEC)
    with pytest.raises(InvalidSpecification):
        Specification.from_dict(NOT_A_SPEC)


def test_building_the_app_does_not_validate_the_spec(settings, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the spec was validated")

    monkeypatch.setattr(Specification, "_validate_spec", classmethod(fail))
    local_app(settings, authenticate=verify)  # raises if add_api validated


def test_the_operation_routed_to_is_read_from_connexions_routing_context(settings, monkeypatch):
    seen = []
    real = seams.routed_operation_id
    monkeypatch.setattr(
        "api.web.observability.routed_operation_id", lambda scope: seen.append(real(scope))
    )
    with TestClient(local_app(settings, authenticate=verify), headers=bearer()) as client:
        client.get("/health")
        client.get("/nowhere")
    assert seen == ["getHealth", None]


def test_the_validators_override_connexions_methods_of_the_same_signature():
    assert VALIDATOR_MAP["parameter"] is ParameterValidator
    assert JSONRequestBodyValidator in VALIDATOR_MAP["body"].values()
    for ours, theirs, name in [
        (NamingParameterValidator, ParameterValidator, "validate_parameter"),
        (NamingParameterValidator, ParameterValidator, "validate_query_parameter"),
        (StrictJSONBodyValidator, JSONRequestBodyValidator, "_parse"),
        (StrictJSONBodyValidator, JSONRequestBodyValidator, "_validate"),
    ]:
        assert name in theirs.__dict__, f"Connexion's {theirs.__name__} has no {name}"
        assert parameters(getattr(ours, name)) == parameters(getattr(theirs, name)), name
    assert "_validator" in JSONRequestBodyValidator.__dict__


def test_the_bearer_handler_resolves_its_function_by_the_method_identity_overrides():
    from connexion.security import AbstractSecurityHandler, BearerSecurityHandler

    from api.web.identity import security_map

    assert "_resolve_func" in AbstractSecurityHandler.__dict__
    assert parameters(AbstractSecurityHandler._resolve_func) == ["security_scheme"]
    (handler,) = security_map(verify, admin_claim="groups", admin_group="admin").values()
    assert issubclass(handler, BearerSecurityHandler)
    # Connexion passes the request to a function that takes one: the Lambda path needs it.
    assert "request_kw" in AbstractSecurityHandler.__dict__
    assert AbstractSecurityHandler.request_kw == "request"


def test_the_bearer_handler_inspects_its_functions_signature_once(monkeypatch):
    import connexion.security

    from api.web.identity import security_map

    # Connexion asks through _accepts_kwarg, on every request, which keywords it may pass.
    assert "_accepts_kwarg" in inspect.getsource(connexion.security.AbstractSecurityHandler)
    inspected = []
    original = connexion.security.inspect_function_arguments

    def counted(function):
        inspected.append(function)
        return original(function)

    monkeypatch.setattr(connexion.security, "inspect_function_arguments", counted)
    (handler,) = security_map(verify, admin_claim="groups", admin_group="admin").values()
    function = handler()._resolve_func({})
    for _ in range(3):
        assert handler._accepts_kwarg(function, "request") is True
        assert handler._accepts_kwarg(function, "required_scopes") is False
    assert inspected == [function, function]


def test_pynamodb_gives_a_models_schema_and_connection(settings):
    schema = model_schema(UserItem)
    assert {k["AttributeName"] for k in schema["key_schema"]} == {"userId"}
    assert {i["index_name"] for i in schema["global_secondary_indexes"]} == {
        "email-index",
        "listShard-index",
        "department-index",
    }
    assert isinstance(model_connection(bind_user_table(settings)), Connection)


def test_connexions_decorator_names_its_parameter_decorator_and_its_sanitizer_as_replaced():
    from connexion.decorators import StarletteDecorator
    from connexion.decorators.parameter import AsyncParameterDecorator

    # StarletteDecorator takes it from ASGIDecorator, as DecoratedOnce overrides it.
    assert any("_parameter_decorator_cls" in cls.__dict__ for cls in StarletteDecorator.__mro__)
    assert issubclass(
        seams.DecoratedOnce(pythonic_params=True)._parameter_decorator_cls, AsyncParameterDecorator
    )
    decorator = seams.NamesSanitizedOnce(framework=None, pythonic_params=True)
    assert decorator.sanitize_fn("Idempotency-Key") == "idempotency_key"
