// The caller that the authorizer's claims name (api/rules/principal.py's rule).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Unauthenticated } from "../../src/core/errors.js";
import { principalFromClaims } from "../../src/core/principal.js";

const options = { adminClaim: "cognito:groups", adminGroup: "admin" };

describe("the principal of verified claims", () => {
  it("is an administrator when the group is in the claim's list or its flattened form", () => {
    assert.equal(principalFromClaims({ sub: "a", "cognito:groups": ["ops", "admin"] }, options).admin, true);
    assert.equal(principalFromClaims({ sub: "a", "cognito:groups": "[ops admin]" }, options).admin, true);
  });

  it("is no administrator for any other value of the claim", () => {
    for (const groups of ["admin", "[administrators]", 1, null, { admin: true }, ["Admin"]]) {
      assert.equal(principalFromClaims({ sub: "a", "cognito:groups": groups }, options).admin, false, JSON.stringify(groups));
    }
  });

  it("refuses claims whose subject is missing, no string, too long or invisible", () => {
    for (const sub of [undefined, 7, "", " ", "a".repeat(256), "a\u200b", "\u0000"]) {
      assert.throws(() => principalFromClaims({ sub }, options), Unauthenticated, JSON.stringify(sub));
    }
    assert.equal(principalFromClaims({ sub: "😀".repeat(255) }, options).subject.length, 510);
  });
});
