"""Request validation: Connexion's validators, stricter in what they accept, their schemas
compiled once per process."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, FormatChecker, ValidationError, validators
from rfc3339_validator import validate_rfc3339
from starlette.datastructures import QueryParams
from starlette.types import Scope

from api.rules.timestamps import without_leap_second
from api.web.messages import describe, first_error

_MAX_INT_DIGITS = 40  # more than any number this API stores (DynamoDB holds 38 digits)
_ASCII_INTEGER = re.compile(r"-?[0-9]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_rfc3339(instance: object) -> bool:
    # As jsonschema does: RFC 3339 allows a lower-case t and z, which the validator does not.
    return not isinstance(instance, str) or validate_rfc3339(without_leap_second(instance).upper())


# jsonschema's draft 4 formats, with a date-time that admits RFC 3339's leap second.
FORMAT_CHECKER = FormatChecker(formats=Draft4Validator.FORMAT_CHECKER.checkers)
FORMAT_CHECKER.checks("date-time")(_is_rfc3339)


@lru_cache(maxsize=256)
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    r"""`pattern` as ECMA-262 reads it, for Python's `re`: there `$` also matches before a
    final newline, so "Eve\n" would pass a pattern that refuses control characters; an
    unescaped `$` outside a character class becomes `\Z`, the end of the string only."""
    translated, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            translated.append(r"\Z")
            continue
        translated.append(char)
    return re.compile("".join(translated))


def _pattern(
    validator: Any, pattern: str, instance: Any, _schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 4, with `pattern` as the spec means it (ECMA-262), for parameters and bodies.
ParameterSchemaValidator = validators.extend(Draft4Validator, {"pattern": _pattern})
BodySchemaValidator = validators.extend(Draft4RequestValidator, {"pattern": _pattern})


class CompiledSchemas:
    """The validator of each schema of the spec, built on its first use and kept for the
    process. Connexion builds its validator objects anew for every request (they hold the
    request's scope); what they compile is kept here, keyed by the schema object, which the
    app holds as long as it serves (the schema is kept too, so its id is never reused)."""

    def __init__(self, make: Any) -> None:
        self._make = make
        self._compiled: dict[int, tuple[Any, Any]] = {}

    def __call__(self, schema: Any) -> Any:
        found = self._compiled.get(id(schema))
        if found is None:
            found = self._compiled[id(schema)] = (schema, self._make(schema))
        return found[1]

    def __len__(self) -> int:
        return len(self._compiled)


PARAMETER_SCHEMAS = CompiledSchemas(
    lambda schema: ParameterSchemaValidator(schema, format_checker=FORMAT_CHECKER)
)
BODY_SCHEMAS = CompiledSchemas(
    lambda schema: BodySchemaValidator(schema, format_checker=FORMAT_CHECKER)
)


class NamingParameterValidator(ParameterValidator):  # type: ignore[misc]
    """Connexion's parameter validator, with errors in words such as "query parameter 'limit'
    must be at least 1" or "If-Match must be an entity tag such as "3"..." (a header is
    named by its name alone) instead of a schema dump, integers only in ASCII digits
    (Python's int() also takes "1_0" and other scripts' digits), and each schema compiled
    once per process."""

    def validate_parameter(
        self, parameter_type: str, value: Any, param: dict[str, Any], param_name: Any = None
    ) -> str | None:
        name = param["name"]
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            return f"Missing {parameter_type} parameter '{name}'" if param.get("required") else None
        validator = PARAMETER_SCHEMAS(param.get("schema", param))
        error = first_error(validator.iter_errors(value))
        if error is None:
            return None
        return describe(
            error, name if parameter_type == "header" else f"{parameter_type} parameter '{name}'"
        )

    def validate_query_parameter(self, param: dict[str, Any], request: Any) -> str | None:
        if param.get("schema", param).get("type") == "integer":
            raw = QueryParams(request.scope["query_string"]).getlist(param["name"])
            if any(not _ASCII_INTEGER.fullmatch(value) for value in raw):
                return f"query parameter '{param['name']}' must be an integer in ASCII digits"
        error: str | None = super().validate_query_parameter(param, request)
        return error


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise BadRequestProblem(detail="The JSON body repeats a member name.")
    return dict(pairs)


def _reject_constant(name: str) -> None:
    raise BadRequestProblem(detail=f"The JSON body holds {name}, which JSON does not allow.")


def _parse_int(digits: str) -> int | Decimal:
    # Python refuses to read an int of more than 4300 digits (ValueError, not a JSON error);
    # as a Decimal it fails the schema's type or range, naming its field.
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else Decimal(digits)


def lone_surrogate_at(value: Any, path: str = "") -> str | None:
    """The path of the first string (or member name) in `value` holding a lone surrogate
    (JSON's "\\ud800"), which is not Unicode text and cannot be stored; None if none does."""
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for name, member in value.items():
            inner = f"{path}.{name}" if path else str(name)
            if _SURROGATE.search(name):
                return path or "(a member name)"
            if (found := lone_surrogate_at(member, inner)) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := lone_surrogate_at(item, f"{path}[{index}]")) is not None:
                return found
    return None


class StrictJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """Connexion's JSON body validator, turning bodies that are not UTF-8, repeat a member,
    hold NaN/Infinity, numbers of thousands of digits or lone surrogates into 400s naming
    the field in words, checking formats as FORMAT_CHECKER does, and compiling each schema
    once per process instead of per request."""

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([message async for message in stream])
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            raise BadRequestProblem(detail="The body is not valid UTF-8.") from exc
        if not text:
            return None
        try:
            body = json.loads(
                text,
                object_pairs_hook=_reject_duplicate_keys,
                parse_constant=_reject_constant,
                parse_int=_parse_int,
            )
        except json.JSONDecodeError as exc:
            raise BadRequestProblem(detail=f"The body is not valid JSON: {exc.msg}.") from exc
        except RecursionError as exc:
            raise BadRequestProblem(detail="The JSON body is nested too deeply.") from exc
        where = lone_surrogate_at(body)
        if where is not None:
            raise BadRequestProblem(
                detail=f"the body: '{where}' holds a lone surrogate escape, which is not text"
                if where
                else "the body holds a lone surrogate escape, which is not text"
            )
        return body

    def _validate(self, body: Any) -> None:
        if body is None and not self._nullable:
            raise BadRequestProblem(detail="The request body must not be empty.")
        error = first_error(BODY_SCHEMAS(self._schema).iter_errors(body))
        if error is not None:
            raise BadRequestProblem(detail=describe(error, "the body"))


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": NamingParameterValidator,
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": StrictJSONBodyValidator}),
}
