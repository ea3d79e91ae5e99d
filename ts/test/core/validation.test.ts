// Request validation from the generated validators, refusing exactly what the Python
// functions refuse, in their words.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import assetValidators from "../../src/generated/assets.validators.cjs";
import { ROUTES as ASSET_ROUTES } from "../../src/generated/assets.routes.js";
import userValidators from "../../src/generated/users.validators.cjs";
import { ROUTES as USER_ROUTES } from "../../src/generated/users.routes.js";
import { DomainError } from "../../src/core/errors.js";
import { parseQuery, type HttpRequest } from "../../src/core/http.js";
import type { RouteSpec } from "../../src/core/routes.js";
import { validateRequest } from "../../src/core/validation.js";

const USER_ID = "3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b";

function request({ query = "", body = undefined as string | undefined, headers = {} as Record<string, string> } = {}): HttpRequest {
  const all = new Map(Object.entries(headers));
  if (body !== undefined) all.set("content-type", "application/json");
  return { method: "POST", path: "/", query: parseQuery(query), headers: all, body: Buffer.from(body ?? ""), requestId: "r", event: {} };
}

function refusal(routes: readonly RouteSpec[], validators: object, operationId: string, given: HttpRequest, path: Record<string, string> = {}): string | null {
  const route = routes.find((r) => r.operationId === operationId) as RouteSpec;
  try {
    validateRequest(route, validators as never, given, path);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.detail}`;
    throw error;
  }
}

const createAsset = (body: string): string | null => refusal(ASSET_ROUTES, assetValidators, "createAsset", request({ body }));
const listUsers = (query: string): string | null => refusal(USER_ROUTES, userValidators, "listUsers", request({ query }));
const createUser = (body: string): string | null => refusal(USER_ROUTES, userValidators, "createUser", request({ body }));

describe("request validation", () => {
  it("refuses a size written as a float, 1.0 or 1e1, as no integer, and takes 1", () => {
    assert.equal(createAsset('{"fileName": "a.pdf", "contentType": "application/pdf", "size": 1.0}'), "400 the body: 'size' must be an integer");
    assert.equal(createAsset('{"fileName": "a.pdf", "contentType": "application/pdf", "size": 1e1}'), "400 the body: 'size' must be an integer");
    assert.equal(createAsset('{"fileName": "a.pdf", "contentType": "application/pdf", "size": 1}'), null);
  });

  it("refuses a size past its maximum and an integer of more than 40 digits as no integer", () => {
    assert.equal(createAsset('{"fileName": "a.pdf", "contentType": "application/pdf", "size": 104857601}'), "400 the body: 'size' must be at most 104857600");
    assert.equal(createAsset(`{"fileName": "a.pdf", "contentType": "application/pdf", "size": ${"9".repeat(41)}}`), "400 the body: 'size' must be an integer");
  });

  it("refuses limit=1e1 and other spellings that are not ASCII digits, and takes limit=10", () => {
    for (const query of ["limit=1e1", "limit=1.0", "limit=%EF%BC%91", "limit=1_0", "limit= 1"]) {
      assert.equal(listUsers(query), "400 query parameter 'limit' must be an integer in ASCII digits", query);
    }
    assert.equal(listUsers("limit=10"), null);
    assert.equal(listUsers("limit=101"), "400 query parameter 'limit' must be at most 100");
  });

  it("anchors patterns as ECMA-262 does: a name ending in a line break is refused", () => {
    assert.equal(
      createUser('{"email": "a@b.c", "name": "Eve\\n"}'),
      "400 the body: 'name' must be visible text (no control, bidi or invisible format characters; not only spaces)",
    );
  });

  it("takes null where the schema is nullable and refuses it elsewhere", () => {
    const patch = (body: string): string | null =>
      refusal(USER_ROUTES, userValidators, "updateUser", request({ body }), { userId: USER_ID });
    assert.equal(patch('{"department": null, "expiresAt": null}'), null);
    assert.equal(patch('{"name": null}'), "400 the body: 'name' must be a string");
  });

  it("names an unknown member before any other fault of the body, as jsonschema's best match does", () => {
    assert.equal(createUser('{"email": "bad", "name": 5, "role": "x", "admin": true}'), '400 the body has a member this API does not take: "admin", "role"');
    assert.equal(createUser('{"email": "bad", "name": 5}'), "400 the body: 'name' must be a string");
  });

  it("refuses a query parameter the operation does not declare", () => {
    assert.equal(listUsers("limit=1&sort=name"), "400 Extra query parameter(s) sort not in spec");
  });
});
