// JSON bodies read as the Python functions read them (api/web/validation.py): Python's
// json.loads with its error messages, refusing repeated member names and NaN/Infinity, and
// telling an integer literal from a float one, which JSON.parse cannot (`1.0` and `1e1` are
// floats to Python, and no integer of the schema).
import { InvalidRequest } from "./errors.js";

const MAX_INT_DIGITS = 40; // Python reads a longer integer as a Decimal: no JSON integer.
// Python's parser runs out of recursion at about 955 levels, below its interpreter's limit of
// 1000 (how far below depends on the stack it parses in): refused as it refuses them.
export const MAX_DEPTH = 950;

/** A number that Python reads as a float (a fraction or an exponent) or as a Decimal (an
 * integer of more than MAX_INT_DIGITS characters): no `integer` of a schema, so a boxed
 * Number, which Ajv's type checks refuse. */
export type PyFloat = Number;
export function isPyFloat(value: unknown): value is PyFloat {
  return value instanceof Number;
}

export class JsonSyntaxError extends Error {}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** `text` parsed; InvalidRequest with the detail the Python functions give. */
export function parseJsonBody(text: string): unknown {
  let at = 0;
  const fail = (msg: string): never => {
    throw new InvalidRequest(`The body is not valid JSON: ${msg}.`);
  };
  const skip = (): void => {
    while (at < text.length && WS.has(text[at] as string)) at++;
  };
  const constant = (name: string): never => {
    throw new InvalidRequest(`The JSON body holds ${name}, which JSON does not allow.`);
  };

  const string = (): string => {
    const start = at - 1;
    let out = "";
    for (;;) {
      if (at >= text.length) {
        void start;
        return fail("Unterminated string starting at");
      }
      const char = text[at++] as string;
      if (char === '"') return out;
      if (char === "\\") {
        if (at >= text.length) return fail("Unterminated string starting at");
        const escape = text[at++] as string;
        if (escape === "u") {
          const hex = text.slice(at, at + 4);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return fail("Invalid \\uXXXX escape");
          at += 4;
          let unit = parseInt(hex, 16);
          out += String.fromCharCode(unit);
          // Python joins an escaped surrogate pair into one character, as a JS string holds it.
          void unit;
          continue;
        }
        const decoded = ESCAPES[escape];
        if (decoded === undefined) return fail("Invalid \\escape");
        out += decoded;
        continue;
      }
      if (char < " ") return fail("Invalid control character at");
      out += char;
    }
  };

  let depth = 0;
  const value = (): unknown => {
    skip();
    const char = text[at];
    if ((char === "{" || char === "[") && ++depth > MAX_DEPTH) throw new InvalidRequest("The JSON body is nested too deeply.");
    try {
      return scalarOr(char);
    } finally {
      if (char === "{" || char === "[") depth--;
    }
  };

  const scalarOr = (char: string | undefined): unknown => {
    if (char === "{") {
      at++;
      const object: Record<string, unknown> = {};
      const names = new Set<string>();
      let repeated = false;
      skip();
      if (text[at] === "}") {
        at++;
        return object;
      }
      for (;;) {
        skip();
        if (text[at] !== '"') return fail("Expecting property name enclosed in double quotes");
        at++;
        const name = string();
        skip();
        if (text[at] !== ":") return fail("Expecting ':' delimiter");
        at++;
        const member = value();
        if (names.has(name)) repeated = true;
        names.add(name);
        Object.defineProperty(object, name, { value: member, enumerable: true, writable: true, configurable: true });
        skip();
        if (text[at] === "}") {
          at++;
          if (repeated) throw new InvalidRequest("The JSON body repeats a member name.");
          return object;
        }
        if (text[at] !== ",") return fail("Expecting ',' delimiter");
        at++;
      }
    }
    if (char === "[") {
      at++;
      const array: unknown[] = [];
      skip();
      if (text[at] === "]") {
        at++;
        return array;
      }
      for (;;) {
        array.push(value());
        skip();
        if (text[at] === "]") {
          at++;
          return array;
        }
        if (text[at] !== ",") return fail("Expecting ',' delimiter");
        at++;
      }
    }
    if (char === '"') {
      at++;
      return string();
    }
    for (const [word, meaning] of [["null", null], ["true", true], ["false", false]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return meaning;
      }
    }
    if (text.startsWith("NaN", at)) constant("NaN");
    if (text.startsWith("Infinity", at)) constant("Infinity");
    if (text.startsWith("-Infinity", at)) constant("-Infinity");
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(text);
    if (number === null) return fail("Expecting value");
    at += number[0].length;
    const parsed = Number(number[0]);
    if (number[1] !== undefined || number[2] !== undefined || number[0].length > MAX_INT_DIGITS) return new Number(parsed);
    return parsed;
  };

  if (text.startsWith("\ufeff")) fail("Unexpected UTF-8 BOM (decode using utf-8-sig)");
  const parsed = value();
  skip();
  if (at !== text.length) fail("Extra data");
  return parsed;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (or member name) in `value` holding a lone surrogate, which
 * is not Unicode text; null if none does. */
export function loneSurrogateAt(value: unknown, path = ""): string | null {
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = loneSurrogateAt(item, `${path}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null && !isPyFloat(value)) {
    for (const [name, member] of Object.entries(value)) {
      if (LONE_SURROGATE.test(name)) return path || "(a member name)";
      const found = loneSurrogateAt(member, path ? `${path}.${name}` : name);
      if (found !== null) return found;
    }
  }
  return null;
}
