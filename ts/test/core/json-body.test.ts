// JSON bodies read as Python's json.loads reads them, refused in the Python functions' words.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { InvalidRequest } from "../../src/core/errors.js";
import { isPyFloat, loneSurrogateAt, MAX_DEPTH, parseJsonBody } from "../../src/core/json-body.js";

function refusal(text: string): string {
  try {
    parseJsonBody(text);
  } catch (error) {
    if (error instanceof InvalidRequest) return error.detail;
    throw error;
  }
  return "accepted";
}

describe("a JSON body", () => {
  it("is refused with the message Python's parser gives, without its position", () => {
    const cases: [string, string][] = [
      ["", "Expecting value"],
      ["{", "Expecting property name enclosed in double quotes"],
      ['{"a"', "Expecting ':' delimiter"],
      ['{"a":1', "Expecting ',' delimiter"],
      ['{"a":1,}', "Expecting property name enclosed in double quotes"],
      ["[1,]", "Expecting value"],
      ['"abc', "Unterminated string starting at"],
      ['"a\u0001"', "Invalid control character at"],
      ['"\\x"', "Invalid \\escape"],
      ['"\\u12zz"', "Invalid \\uXXXX escape"],
      ["1 2", "Extra data"],
      ["01", "Extra data"],
      ["\ufeff{}", "Unexpected UTF-8 BOM (decode using utf-8-sig)"],
    ];
    for (const [text, message] of cases) assert.equal(refusal(text), `The body is not valid JSON: ${message}.`, text);
  });

  it("refuses NaN and the infinities, which Python reads but JSON does not allow", () => {
    for (const name of ["NaN", "Infinity", "-Infinity"]) {
      assert.equal(refusal(`{"a": ${name}}`), `The JSON body holds ${name}, which JSON does not allow.`);
    }
  });

  it("refuses a repeated member name", () => {
    assert.equal(refusal('{"a": 1, "a": 2}'), "The JSON body repeats a member name.");
  });

  it("refuses nesting past the depth Python's parser reaches", () => {
    assert.equal(refusal("[".repeat(MAX_DEPTH + 1) + "]".repeat(MAX_DEPTH + 1)), "The JSON body is nested too deeply.");
    assert.equal(refusal("[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH)), "accepted");
  });

  it("tells integer literals from those Python reads as floats or decimals", () => {
    const body = parseJsonBody(`[1, 1.0, 1e1, -0, ${"1".repeat(41)}]`) as unknown[];
    assert.deepEqual(body.map(isPyFloat), [false, true, true, false, true]);
  });

  it("names where a lone surrogate is, and a joined pair is text", () => {
    assert.equal(loneSurrogateAt(parseJsonBody('{"a": {"b": ["x", "\\ud800"]}}')), "a.b[1]");
    assert.equal(loneSurrogateAt(parseJsonBody('{"a": "\\ud83d\\ude00"}')), null);
    assert.equal(loneSurrogateAt(parseJsonBody('{"\\udc00": 1}')), "(a member name)");
  });
});
