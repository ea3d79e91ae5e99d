import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { UPLOAD_PREFIX, assetIdOf, s3KeyOf, uploadKeyOf } from "../../src/assets/asset.js";
import { vectors } from "../vectors.js";

describe("a file name becomes the s3Key of the vector", () => {
  for (const { name, input, output } of vectors("s3_keys")) {
    test(name, () => {
      const s3Key = s3KeyOf(input.assetId, input.fileName);
      assert.equal(s3Key, output.s3Key);
      assert.equal(assetIdOf(s3Key), input.assetId);
    });
  }
});

describe("an asset is uploaded to the upload key of the vector", () => {
  for (const { name, input, output } of vectors("upload_keys")) {
    test(name, () => {
      const s3Key = s3KeyOf(input.assetId, input.fileName);
      assert.deepEqual({ s3Key, uploadKey: uploadKeyOf({ s3Key }) }, output);
    });
  }
});

describe("an ObjectCreated key is the upload of the vector's asset", () => {
  for (const { name, input, output } of vectors("upload_events")) {
    test(name, () => assert.deepEqual({ assetId: assetIdOf(input.key, UPLOAD_PREFIX) }, output));
  }
});

test("a served key names its asset only under assets/", () => {
  const id = "9b2e6f0a-3c4d-4e5f-8a7b-1c2d3e4f5a6b";
  assert.equal(assetIdOf(`assets/${id}/a.pdf`), id);
  assert.equal(assetIdOf(`uploads/${id}/a.pdf`), null);
});
