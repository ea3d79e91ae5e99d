// Request validation against the operation's generated validators, refusing what the Python
// functions refuse with the same details (api/web/validation.py, api/web/messages.py; the
// parameter checks and their order are Connexion's).
import type { ErrorObject, ValidateFunction } from "ajv";

import { InvalidRequest, UnsupportedMediaType } from "./errors.js";
import type { HttpRequest } from "./http.js";
import { isPyFloat, loneSurrogateAt, parseJsonBody } from "./json-body.js";
import { bounded } from "./messages.js";
import { parseMediaType } from "./media-types.js";
import { pyString } from "./python-json.js";
import type { ParameterSpec, RouteSpec } from "./routes.js";

export interface ValidatedRequest {
  path: Record<string, string>;
  query: Record<string, string | number | boolean | undefined>;
  body: unknown;
}

const ASCII_INTEGER = /^-?[0-9]+$/;
const TYPES: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a JSON object",
  array: "a JSON array",
  null: "null",
};
const FORMATS: Record<string, string> = {
  "date-time": "an RFC 3339 date-time with an offset, such as 2030-01-01T00:00:00Z",
  uuid: "a UUID",
};

/** `value` as JSON (ensure_ascii off), cut to `limit` characters. */
function jsonText(value: unknown, limit = 40): string {
  const text = typeof value === "string" ? pyString(value, false) : JSON.stringify(value);
  return bounded(text, limit);
}

function types(names: unknown): string {
  const list = Array.isArray(names) ? names : [names];
  return list.map((name) => TYPES[String(name)] ?? String(name)).join(" or ");
}

type Schema = Record<string, unknown>;

/** A failed keyword as Python's jsonschema reports it: one error per keyword (Ajv reports one
 * per missing or extra member), where in the instance, and the schema holding the keyword. */
interface KeywordError {
  keyword: string;
  path: (string | number)[];
  schema: Schema;
  instance: unknown;
  /** The keyword's position among the schema's keys: jsonschema checks them in that order. */
  order: number;
  matchesType: boolean;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" || isPyFloat(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value) && !isPyFloat(value);
    default:
      return false;
  }
}

function keywordErrors(errors: ErrorObject[]): KeywordError[] {
  const seen = new Map<string, KeywordError>();
  for (const error of errors) {
    const schema = (error.parentSchema ?? {}) as Schema;
    const key = `${error.instancePath}\u0000${error.schemaPath}`;
    if (seen.has(key)) continue;
    const keys = Object.keys(schema);
    const declared = schema.type;
    const matchesType = declared === undefined ? false : (Array.isArray(declared) ? declared : [declared]).some((t) => isType(error.data, String(t)));
    seen.set(key, {
      keyword: error.keyword,
      path: pathOf(error.instancePath),
      schema,
      instance: error.data,
      order: keys.indexOf(error.keyword === "type" && schema.nullable ? "type" : error.keyword),
      matchesType,
    });
  }
  return [...seen.values()];
}

function comparePaths(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i] as string | number, b[i] as string | number];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    const [p, q] = [String(x), String(y)];
    return p < q ? -1 : 1;
  }
  return a.length - b.length;
}

/** The error jsonschema's best_match picks: the shallowest; among siblings the greatest path;
 * then one whose instance is not of the schema's type; then the first checked. */
export function bestError(errors: ErrorObject[]): KeywordError | null {
  let best: KeywordError | null = null;
  for (const error of keywordErrors(errors)) {
    if (best === null) {
      best = error;
      continue;
    }
    const byDepth = best.path.length - error.path.length;
    const byPath = comparePaths(error.path, best.path);
    const byType = Number(!error.matchesType) - Number(!best.matchesType);
    const better = byDepth > 0 || (byDepth === 0 && (byPath > 0 || (byPath === 0 && (byType > 0 || (byType === 0 && error.order < best.order)))));
    if (better) best = error;
  }
  return best;
}

function memberPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : (i ? "." : "") + p)).join("");
}

function expectation(error: KeywordError): string {
  const expected = error.schema[error.keyword];
  switch (error.keyword) {
    case "type":
      return `must be ${types(expected)}`;
    case "pattern": {
      const words = error.schema["x-expected"];
      return typeof words === "string" && words ? `must be ${words}` : "is not in the form this field takes";
    }
    case "format":
      return `must be ${FORMATS[String(expected)] ?? `in the format ${String(expected)}`}`;
    case "enum":
      return `must be one of ${(expected as unknown[]).map((v) => jsonText(v)).join(", ")}`;
    case "maxLength":
      return `must be at most ${String(expected)} characters long`;
    case "minLength":
      return `must be at least ${String(expected)} characters long`;
    case "maximum":
      return `must be at most ${String(expected)}`;
    case "minimum":
      return `must be at least ${String(expected)}`;
    case "maxItems":
      return `must hold at most ${String(expected)} items`;
    case "minProperties":
      return `must have at least ${String(expected)} member${expected !== 1 ? "s" : ""}`;
    default:
      return "is not valid here";
  }
}

/** One sentence for `error`, `subject` naming what was validated ("the body", "query
 * parameter 'limit'"). */
export function describe(error: KeywordError, subject: string): string {
  const where = memberPath(error.path);
  const owner = where ? `'${where}'` : subject;
  const instance = (error.instance ?? {}) as Record<string, unknown>;
  let text: string;
  if (error.keyword === "required") {
    const missing = (error.schema.required as string[]).filter((name) => !Object.hasOwn(instance, name));
    text = `${owner} lacks the required member ${missing.slice(0, 1).map((v) => jsonText(v)).join(", ")}`;
  } else if (error.keyword === "additionalProperties") {
    const allowed = new Set(Object.keys((error.schema.properties as Schema | undefined) ?? {}));
    const extra = Object.keys(instance)
      .filter((name) => !allowed.has(name))
      .sort(compareCodePoints);
    text = `${owner} has a member this API does not take: ${extra.slice(0, 3).map((v) => jsonText(v)).join(", ")}`;
  } else {
    text = where ? `${subject}: '${where}' ${expectation(error)}` : `${subject} ${expectation(error)}`;
  }
  return bounded(text);
}

function compareCodePoints(a: string, b: string): number {
  const [x, y] = [Array.from(a, (c) => c.codePointAt(0) as number), Array.from(b, (c) => c.codePointAt(0) as number)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

function check(validate: ValidateFunction | undefined, value: unknown, subject: string): string | null {
  if (validate === undefined) throw new Error(`no validator for ${subject}`);
  if (validate(value)) return null;
  const error = bestError(validate.errors ?? []);
  return error === null ? `${subject} is not valid here` : describe(error, subject);
}

function parameterValue(parameter: ParameterSpec, request: HttpRequest, pathParameters: Record<string, string>): string | undefined {
  switch (parameter.in) {
    case "path":
      return pathParameters[parameter.name];
    case "query": {
      const values = request.query.filter(([name]) => name === parameter.name).map(([, value]) => value);
      return values[values.length - 1];
    }
    case "header": {
      const value = request.headers.get(parameter.name.toLowerCase());
      return value;
    }
    default:
      return undefined;
  }
}

function coerce(parameter: ParameterSpec, value: string): string | number {
  // Connexion's coercion of the spec's parameter types (strings and integers); a value it
  // cannot convert stays a string and fails the type.
  if (parameter.type === "integer" && ASCII_INTEGER.test(value)) return Number(value);
  return value;
}

/** The request's parameters and body as the operation takes them; InvalidRequest (400) or
 * UnsupportedMediaType (415) with the Python functions' detail otherwise. */
export function validateRequest(
  route: RouteSpec,
  validators: Record<string, ValidateFunction>,
  request: HttpRequest,
  pathParameters: Record<string, string>,
): ValidatedRequest {
  const declared = new Set(route.parameters.filter((p) => p.in === "query").map((p) => p.name));
  const extra = [...new Set(request.query.map(([name]) => name))].filter((name) => !declared.has(name));
  if (extra.length) throw new InvalidRequest(`Extra query parameter(s) ${extra.join(",")} not in spec`);
  const validated: ValidatedRequest = { path: {}, query: {}, body: undefined };
  for (const where of ["query", "path", "header"] as const) {
    for (const parameter of route.parameters.filter((p) => p.in === where)) {
      if (where === "query" && parameter.type === "integer") {
        const raw = request.query.filter(([name]) => name === parameter.name).map(([, value]) => value);
        if (raw.some((value) => !ASCII_INTEGER.test(value))) {
          throw new InvalidRequest(`query parameter '${parameter.name}' must be an integer in ASCII digits`);
        }
      }
      const raw = parameterValue(parameter, request, pathParameters);
      if (raw === undefined) {
        if (parameter.required) throw new InvalidRequest(`Missing ${where} parameter '${parameter.name}'`);
        continue;
      }
      const value = where === "header" ? raw : coerce(parameter, raw);
      // A header is named by its name alone ("If-Match must be ..."), as the Python functions do.
      const label = where === "header" ? parameter.name : `${where} parameter '${parameter.name}'`;
      const problem = check(validators[parameter.validator], value, label);
      if (problem !== null) throw new InvalidRequest(problem);
      if (where === "path") validated.path[parameter.name] = raw;
      if (where === "query") validated.query[parameter.name] = value;
    }
  }
  if (route.body === null) return validated;
  const header = request.headers.get("content-type");
  const mediaType = header === undefined ? route.body.mediaType : (parseMediaType(header)?.essence ?? header.split(";")[0]?.trim() ?? "");
  if (mediaType !== route.body.mediaType) {
    throw new UnsupportedMediaType(`Invalid Content-type (${mediaType}), expected ['${route.body.mediaType}']`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(request.body);
  } catch {
    throw new InvalidRequest("The body is not valid UTF-8.");
  }
  // Connexion's words for a required body that is empty.
  if (!text) throw new InvalidRequest("RequestBody is required");
  const body = parseJsonBody(text);
  // JSON's null is no body, as Connexion reads it.
  if (body === null) throw new InvalidRequest("The request body must not be empty.");
  const surrogate = loneSurrogateAt(body);
  if (surrogate !== null) {
    throw new InvalidRequest(
      surrogate ? `the body: '${surrogate}' holds a lone surrogate escape, which is not text` : "the body holds a lone surrogate escape, which is not text",
    );
  }
  const problem = check(validators[route.body.validator], body, "the body");
  if (problem !== null) throw new InvalidRequest(problem);
  validated.body = body;
  return validated;
}
