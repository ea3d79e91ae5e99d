// The shared stored shapes against the golden vectors: cursors, idempotency records and
// rate-limit windows, written through the real code into the in-memory DynamoDB.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { canonicalJson, CursorCodec, queryFingerprint } from "../../src/core/cursors.js";
import { DomainError } from "../../src/core/errors.js";
import { IdempotentRequests, payloadHash, powertoolsJson, recordId } from "../../src/core/idempotency.js";
import { Principal } from "../../src/core/principal.js";
import { DynamoHitCounter } from "../../src/core/rate-limit-counter.js";
import { RateLimit, rateLimitHeaders } from "../../src/core/rate-limits.js";
import { FakeDocumentClient } from "../fakes/document-client.js";
import { dynamoJson, vectors } from "../vectors.js";

describe("the cursors vectors", () => {
  for (const vector of vectors("cursors")) {
    it(vector.name, () => {
      const { cursorKey, query, position } = vector.input;
      const codec = new CursorCodec([Buffer.from(cursorKey, "utf8")]);
      const cursor = codec.encode(query, position);
      const signed = Buffer.from(cursor, "base64url");
      assert.deepEqual(
        {
          canonicalQuery: canonicalJson(query),
          fingerprint: queryFingerprint(query),
          payload: signed.subarray(0, -16).toString("ascii"),
          tag: signed.subarray(-16).toString("hex"),
          cursor,
        },
        vector.output,
      );
      assert.deepEqual(codec.decode(cursor, query), position);
    });
  }
});

describe("the idempotency_records vectors", () => {
  for (const vector of vectors("idempotency_records")) {
    it(vector.name, async () => {
      const { caller, now, operation, key, payload, outcome } = vector.input;
      const client = new FakeDocumentClient();
      const requests = new IdempotentRequests(client, "Idempotency", () => now);
      let inProgress: unknown[] = [];
      const [answered, replayed] = await requests.run(operation, new Principal(caller, true), key, payload, async () => {
        inProgress = client.items("Idempotency").map(dynamoJson);
        return outcome;
      });
      const { hashes, records } = vector.output;
      assert.equal(powertoolsJson([caller, key]), hashes.keyJson);
      assert.equal(powertoolsJson(payload), hashes.payloadJson);
      assert.equal(recordId(operation, caller, key), `${operation}#${hashes.key}`);
      assert.equal(payloadHash(payload), hashes.payload);
      assert.deepEqual(inProgress, records.inProgress);
      assert.deepEqual(client.items("Idempotency").map(dynamoJson), records.completed);
      assert.deepEqual([answered, replayed], [outcome, false]);
      const [again, replayedAgain] = await requests.run(operation, new Principal(caller, true), key, payload, async () => assert.fail("ran twice"));
      assert.deepEqual(again, JSON.parse(powertoolsJson(outcome)));
      assert.equal(replayedAgain, true);
    });
  }
});

describe("the rate_limits vectors", () => {
  for (const vector of vectors("rate_limits")) {
    it(vector.name, async () => {
      const { caller, quota, requests } = vector.input;
      const client = new FakeDocumentClient();
      const limit = new RateLimit(new DynamoHitCounter(client, "RateLimits"), quota);
      let answered: Record<string, unknown> = {};
      for (const instant of requests as number[]) {
        try {
          const allowance = await limit.admit(caller, instant);
          answered = { headers: rateLimitHeaders(allowance) };
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          answered = { error: error.constructor.name, headers: error.headers };
        }
      }
      assert.deepEqual({ ...answered, table: client.items("RateLimits").map(dynamoJson) }, vector.output);
    });
  }
});
