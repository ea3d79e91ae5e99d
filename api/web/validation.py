"""Request validation: Connexion's validators, stricter in what they accept and compiled once."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from functools import cached_property
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import best_match
from rfc3339_validator import validate_rfc3339
from starlette.types import Scope

from api.rules.timestamps import without_leap_second

_MAX_DETAIL = 300


def _is_rfc3339(instance: object) -> bool:
    # As jsonschema does: RFC 3339 allows a lower-case t and z, which the validator does not.
    return not isinstance(instance, str) or validate_rfc3339(without_leap_second(instance).upper())


# jsonschema's draft 4 formats, with a date-time that admits RFC 3339's leap second.
FORMAT_CHECKER = FormatChecker(formats=Draft4Validator.FORMAT_CHECKER.checkers)
FORMAT_CHECKER.checks("date-time")(_is_rfc3339)


class NamingParameterValidator(ParameterValidator):  # type: ignore[misc]
    """Connexion's parameter validator, with errors such as "query parameter 'limit': 0 is
    less than the minimum of 1" instead of a schema dump, and no validator built per request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: dict[tuple[str, str], Draft4Validator] = {}

    def validate_parameter(
        self, parameter_type: str, value: Any, param: dict[str, Any], param_name: Any = None
    ) -> str | None:
        name = param["name"]
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            return f"Missing {parameter_type} parameter '{name}'" if param.get("required") else None
        key = (parameter_type, name)
        if key not in self._compiled:
            self._compiled[key] = Draft4Validator(
                param.get("schema", param), format_checker=FORMAT_CHECKER
            )
        error = best_match(self._compiled[key].iter_errors(value))
        if error is None:
            return None
        return f"{parameter_type} parameter '{name}': {error.message}"[:_MAX_DETAIL]


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise BadRequestProblem(detail="The JSON body repeats a member name.")
    return dict(pairs)


def _reject_constant(name: str) -> None:
    raise BadRequestProblem(detail=f"The JSON body holds {name}, which JSON does not allow.")


class StrictJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """Connexion's JSON body validator, turning bodies that are not UTF-8, repeat a member
    or hold NaN/Infinity into 400s, checking formats as FORMAT_CHECKER does, and compiling
    the schema once instead of per request."""

    @cached_property
    def _validator(self) -> Any:
        return Draft4RequestValidator(self._schema, format_checker=FORMAT_CHECKER)

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([message async for message in stream])
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            raise BadRequestProblem(detail="The body is not valid UTF-8.") from exc
        if not text:
            return None
        try:
            return json.loads(
                text,
                object_pairs_hook=_reject_duplicate_keys,
                parse_constant=_reject_constant,
            )
        except json.JSONDecodeError as exc:
            raise BadRequestProblem(detail=f"The body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise BadRequestProblem(detail="The JSON body is nested too deeply.") from exc


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": NamingParameterValidator,
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": StrictJSONBodyValidator}),
}
