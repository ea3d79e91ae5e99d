// The shared rules against the golden vectors: etags, If-Match, timestamps, start keys.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { startKey } from "../../src/core/dynamo.js";
import { DomainError } from "../../src/core/errors.js";
import { etagOf, ifMatchAllows } from "../../src/core/etags.js";
import { formatMillis, formatSeconds, parseToSeconds } from "../../src/core/timestamps.js";
import { dynamoJson, vectors } from "../vectors.js";

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    if (error instanceof DomainError) return { error: error.constructor.name };
    throw error;
  }
}

describe("the etags vectors", () => {
  for (const vector of vectors("etags")) {
    it(vector.name, () => assert.deepEqual({ etag: etagOf(vector.input.version) }, vector.output));
  }
});

describe("the if_match vectors", () => {
  for (const vector of vectors("if_match")) {
    it(vector.name, () => assert.deepEqual({ allows: ifMatchAllows(vector.input.ifMatch, vector.input.etag) }, vector.output));
  }
});

describe("the timestamps vectors", () => {
  for (const vector of vectors("timestamps")) {
    it(vector.name, () => {
      const { epochMillis, epochSeconds, rfc3339 } = vector.input;
      if (epochMillis !== undefined) assert.deepEqual({ rfc3339: formatMillis(epochMillis) }, vector.output);
      else if (epochSeconds !== undefined) assert.deepEqual({ rfc3339: formatSeconds(epochSeconds) }, vector.output);
      else assert.deepEqual(outcome(() => ({ epochSeconds: parseToSeconds(rfc3339, "expiresAt") })), vector.output);
    });
  }
});

describe("the start_keys vectors", () => {
  for (const vector of vectors("start_keys")) {
    it(vector.name, () => {
      const { position, idName, partition } = vector.input;
      assert.deepEqual(outcome(() => ({ exclusiveStartKey: dynamoJson(startKey(position, idName, partition)) })), vector.output);
    });
  }
});
