import assert from "node:assert/strict";
import { test } from "node:test";

import { createdKeys, handleS3Event, unquotePlus } from "../../src/assets/s3-events.js";
import type { AssetService } from "../../src/assets/service.js";

function makeS3Record({ key = "uploads/x/a.pdf", eventName = "ObjectCreated:Post", eventSource = "aws:s3" } = {}) {
  return { eventSource, eventName, s3: { bucket: { name: "assets" }, object: { key, size: 1 } } };
}

test("an event key is URL-decoded with plus as a space, as Python's unquote_plus does", () => {
  assert.equal(unquotePlus("a+b%20c%2Bd"), "a b c+d");
  assert.equal(unquotePlus("r%C3%A9sum%C3%A9"), "résumé");
  assert.equal(unquotePlus("100%"), "100%");
  assert.equal(unquotePlus("%zz%4"), "%zz%4");
  assert.equal(unquotePlus("%C3"), "\ufffd");
  assert.equal(unquotePlus("é%41"), "éA");
});

test("only ObjectCreated records of S3 are handed on, in order", () => {
  const event = {
    Records: [
      makeS3Record({ key: "uploads/one" }),
      makeS3Record({ key: "uploads/two", eventName: "ObjectRemoved:Delete" }),
      makeS3Record({ key: "uploads/three", eventSource: "aws:sqs" }),
      makeS3Record({ key: "uploads/f%C3%BCr+x", eventName: "ObjectCreated:Copy" }),
    ],
  };
  assert.deepEqual(createdKeys(event), ["uploads/one", "uploads/für x"]);
});

test("the handler confirms each created key through the service and counts them", async () => {
  const seen: string[] = [];
  const service = {
    objectCreated: async (key: string) => {
      seen.push(key);
      return null;
    },
  } as unknown as AssetService;
  const result = await handleS3Event(service, { Records: [makeS3Record({ key: "uploads/a" }), makeS3Record({ key: "uploads/b" })] });
  assert.deepEqual(result, { handled: 2 });
  assert.deepEqual(seen, ["uploads/a", "uploads/b"]);
});
