import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { baseName, contentDisposition, safeFileName } from "../../src/assets/file-names.js";
import { vectors } from "./vectors.js";

describe("a file name becomes the safe name of the vector", () => {
  for (const { name, input, output } of vectors("s3_keys")) {
    test(name, () => assert.equal(safeFileName(input.fileName), output.safeName));
  }
});

describe("a file name is downloaded with the Content-Disposition of the vector", () => {
  for (const { name, input, output } of vectors("content_dispositions")) {
    test(name, () => assert.equal(contentDisposition(input.fileName), output.contentDisposition));
  }
});

test("a lone surrogate is dropped from the base name and encodes nowhere", () => {
  assert.equal(baseName("a\ud800b.txt"), "ab.txt");
  assert.equal(contentDisposition("\udc00x.txt"), `attachment; filename="x.txt"; filename*=UTF-8''x.txt`);
});

test("a code point unassigned in Unicode 14.0 blocks composition as Python's NFC does", () => {
  // U+1F6DC (assigned in 15.0) between e and U+0301 keeps them apart; both drop to "e".
  assert.equal(baseName("e\u{1f6dc}\u0301.txt"), "e\u0301.txt");
});

test("a mark reordered by its combining class is dropped wherever it stands", () => {
  assert.equal(safeFileName("a\u05b0\u0345\u0334b.txt"), "ab.txt");
});

test("the extension is kept only after the last dot of a long name", () => {
  const name = `${"y".repeat(120)}.tar.gz`;
  assert.equal(safeFileName(name), `${"y".repeat(97)}.gz`);
});
