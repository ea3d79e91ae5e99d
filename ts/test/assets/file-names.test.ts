import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { baseName, contentDisposition, safeFileName } from "../../src/assets/file-names.js";
import { vectors } from "../vectors.js";

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

test("a code point unassigned in Unicode 14.0 blocks composition as Python's NFC does, whatever Node's Unicode says of it", () => {
  // U+1E4EC is a combining mark (class 232) since Unicode 15.0; to Unicode 14.0 it is an
  // unassigned starter, between e and U+0301, which so stay apart.
  assert.equal(baseName("e\u{1e4ec}\u0301.txt"), "e\u0301.txt");
  assert.equal(contentDisposition("e\u{1e4ec}\u0301.txt"), `attachment; filename="e.txt"; filename*=UTF-8''e%CC%81.txt`);
});

test("a mark reordered by its combining class is dropped wherever it stands", () => {
  assert.equal(safeFileName("a\u05b0\u0345\u0334b.txt"), "ab.txt");
});

test("the extension is kept only after the last dot of a long name", () => {
  const name = `${"y".repeat(120)}.tar.gz`;
  assert.equal(safeFileName(name), `${"y".repeat(97)}.gz`);
});
