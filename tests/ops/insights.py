"""A small CloudWatch Logs Insights evaluator: the commands and functions the template's saved
queries use (`fields`, `filter`, `stats`, `sort`, `limit`), over log events as Logs Insights
discovers them in JSON lines (top-level fields by name, booleans as 1 and 0).

It exists so that a test can run each saved query over lines the application really writes:
a field the query names and the lines lack makes the query find nothing, as it would on AWS.
It refuses anything else it does not know, so a query cannot pass here by being misread.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Event = Mapping[str, Any]
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op><=|>=|!=|=|<|>|\(|\)|,|\*)
    | (?P<name>@?[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


class QueryError(ValueError):
    """The query uses syntax this evaluator does not know."""


def event_from_line(line: str, *, log: str) -> dict[str, Any]:
    """The event Logs Insights makes of one JSON log line written to log group `log`."""
    fields: dict[str, Any] = {
        name: int(value) if isinstance(value, bool) else value
        for name, value in json.loads(line).items()
    }
    fields |= {"@message": line, "@log": log, "@timestamp": fields.get("timestamp")}
    return fields


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"cannot read {text[position:]!r}")
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


def _commands(query: str) -> list[tuple[str, str]]:
    """The query's commands, split at the pipes outside string literals."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in query:
        if char == '"':
            quoted = not quoted
        if char == "|" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    commands = []
    for part in parts:
        command, _, rest = part.strip().partition(" ")
        commands.append((command, rest.strip()))
    return commands


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise QueryError(f"expected {expected or 'more'}, found {token!r}")
        self.position += 1
        return token

    def done(self) -> None:
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek()!r}")

    # expression := disjunction; conditions compare a field with a literal
    def expression(self) -> Callable[[Event], bool]:
        alternatives = [self.conjunction()]
        while self.peek() == "or":
            self.take()
            alternatives.append(self.conjunction())
        return lambda e: any(test(e) for test in alternatives)

    def conjunction(self) -> Callable[[Event], bool]:
        conditions = [self.condition()]
        while self.peek() == "and":
            self.take()
            conditions.append(self.condition())
        return lambda e: all(test(e) for test in conditions)

    def condition(self) -> Callable[[Event], bool]:
        token = self.take()
        if token == "not":
            inner = self.condition()
            return lambda e: not inner(e)
        if token == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if token == "ispresent":
            self.take("(")
            name = self.take()
            self.take(")")
            return lambda e: e.get(name) is not None
        operator, literal = self.take(), self.literal()
        compare = _COMPARISONS.get(operator)
        if compare is None:
            raise QueryError(f"unknown comparison {operator!r}")
        return lambda e: e.get(token) is not None and compare(e[token], literal)

    def literal(self) -> Any:
        token = self.take()
        if token.startswith('"'):
            return json.loads(token)
        try:
            return float(token)
        except ValueError:
            raise QueryError(f"expected a literal, found {token!r}") from None


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(value: Any, literal: Any) -> bool:
        if isinstance(literal, float) != isinstance(value, int | float):
            return False
        return test(value, literal)

    return compare


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": _compare(lambda a, b: a == b),
    "!=": _compare(lambda a, b: a != b),
    "<": _compare(lambda a, b: a < b),
    "<=": _compare(lambda a, b: a <= b),
    ">": _compare(lambda a, b: a > b),
    ">=": _compare(lambda a, b: a >= b),
}


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


_AGGREGATES: dict[str, Callable[[list[Any], list[float]], Any]] = {
    "count": lambda values, _: len(values),
    "avg": lambda values, _: sum(values) / len(values),
    "max": lambda values, _: max(values),
    "min": lambda values, _: min(values),
    "sum": lambda values, _: sum(values),
    "pct": lambda values, arguments: _percentile(values, arguments[0]),
}


@dataclass(frozen=True)
class _Aggregate:
    function: str
    field: str  # "*" for count(*)
    arguments: list[float]
    name: str

    def of(self, events: list[Event]) -> Any:
        if self.field == "*":
            return len(events)
        values = [e[self.field] for e in events if e.get(self.field) is not None]
        return _AGGREGATES[self.function](values, self.arguments) if values else None


def _stats(text: str) -> tuple[list[_Aggregate], list[str]]:
    parser = _Parser(text)
    aggregates = []
    while True:
        function = parser.take()
        if function not in _AGGREGATES:
            raise QueryError(f"unknown aggregate {function!r}")
        parser.take("(")
        field = parser.take()
        arguments = []
        while parser.peek() == ",":
            parser.take()
            arguments.append(float(parser.take()))
        parser.take(")")
        name = f"{function}({field})"
        if parser.peek() == "as":
            parser.take()
            name = parser.take()
        aggregates.append(_Aggregate(function, field, arguments, name))
        if parser.peek() != ",":
            break
        parser.take()
    groups = []
    if parser.peek() == "by":
        parser.take()
        groups.append(parser.take())
        while parser.peek() == ",":
            parser.take()
            groups.append(parser.take())
    parser.done()
    return aggregates, groups


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",")]


def run(query: str, events: Iterable[Event]) -> list[dict[str, Any]]:
    """The rows `query` answers over `events`."""
    rows: list[dict[str, Any]] = [dict(e) for e in events]
    for command, rest in _commands(query):
        if command == "filter":
            parser = _Parser(rest)
            keep = parser.expression()
            parser.done()
            rows = [row for row in rows if keep(row)]
        elif command == "fields":
            rows = [{name: row.get(name) for name in _names(rest)} for row in rows]
        elif command == "stats":
            aggregates, groups = _stats(rest)
            grouped: dict[tuple[Any, ...], list[Event]] = {}
            for row in rows:
                grouped.setdefault(tuple(row.get(g) for g in groups), []).append(row)
            rows = [
                dict(zip(groups, key, strict=True)) | {a.name: a.of(members) for a in aggregates}
                for key, members in grouped.items()
            ]
        elif command == "sort":
            name, _, order = rest.partition(" ")
            if order.strip() not in ("asc", "desc"):
                raise QueryError(f"sort needs asc or desc, not {order!r}")
            present = [row for row in rows if row.get(name) is not None]
            present.sort(key=lambda row: row[name], reverse=order.strip() == "desc")
            rows = present + [row for row in rows if row.get(name) is None]
        elif command == "limit":
            rows = rows[: int(rest)]
        else:
            raise QueryError(f"unknown command {command!r}")
    return rows
