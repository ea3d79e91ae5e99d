// The build: from ../openapi.yaml, the routes and the Ajv validators of each function's
// operations (src/generated/, not committed) and the spec's types (openapi-typescript); then a
// type check, which fails when an operation of a function's tags has no implementation; then
// the bundles dist/<function>-handler.js (esbuild, CommonJS, minified).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { _ } from "ajv";
import * as esbuild from "esbuild";
import openapiTS, { astToString } from "openapi-typescript";
import { parse } from "yaml";

import { FUNCTIONS } from "./functions.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SPEC_PATH = join(ROOT, "..", "openapi.yaml");
const GENERATED = join(ROOT, "src", "generated");
const DIST = join(ROOT, "dist");
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
// Words of a schema that say nothing to a validator.
const ANNOTATIONS = new Set(["description", "example", "examples", "title", "externalDocs", "deprecated", "readOnly", "writeOnly", "xml", "discriminator"]);

const SPEC_TEXT = readFileSync(SPEC_PATH, "utf8");
const spec = parse(SPEC_TEXT);
// The formats the validators check, compiled in as references to this module.
const FORMATS = createRequire(import.meta.url)("../src/core/formats.cjs");

function resolve(node) {
  while (node && typeof node === "object" && "$ref" in node) {
    node = node.$ref.replace(/^#\//, "").split("/").reduce((target, part) => target[part], spec);
  }
  return node;
}

// An OpenAPI 3.0 schema as the JSON Schema Ajv compiles: references inlined (the spec has no
// recursive schema), annotations dropped. `nullable` stays: Ajv reads it as OpenAPI means it.
// Key order is kept, for the messages name the first failing keyword in schema order.
function toJsonSchema(schema) {
  schema = resolve(schema);
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s)]));
    } else if (["items", "additionalProperties", "not"].includes(key) && typeof value === "object") {
      out[key] = toJsonSchema(value);
    } else if (["allOf", "anyOf", "oneOf"].includes(key)) {
      out[key] = value.map(toJsonSchema);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function operationsOf(tags) {
  const found = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      if (!(operation.tags ?? []).some((tag) => tags.includes(tag))) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(resolve);
      const body = operation.requestBody ? resolve(operation.requestBody) : undefined;
      const security = operation.security ?? spec.security ?? [];
      found.push({ path, method: method.toUpperCase(), operation, parameters, body, secured: security.length > 0 });
    }
  }
  return found;
}

function validatorName(operationId, where, name) {
  return `${operationId}_${where}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");
}

function generate(key, { tags }) {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    code: { source: true, formats: _`require("../core/formats.cjs")` },
  });
  ajv.addKeyword({ keyword: "x-expected", schemaType: "string" });
  // Python's draft-4 format checker checks date-time (api/web/validation.py), not uuid or
  // uri (without the rfc3987 package it has no uri checker).
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  ajv.addFormat("uuid", true);
  ajv.addFormat("uri", true);
  const exports = {};
  const routes = [];
  for (const { path, method, operation, parameters, body, secured } of operationsOf(tags)) {
    const id = operation.operationId;
    const params = parameters.map((parameter) => {
      const schema = toJsonSchema(parameter.schema ?? {});
      const name = validatorName(id, parameter.in, parameter.name);
      ajv.addSchema(schema, name);
      exports[name] = name;
      return {
        name: parameter.name,
        in: parameter.in,
        required: Boolean(parameter.required),
        type: schema.type ?? null,
        validator: name,
      };
    });
    let requestBody = null;
    if (body) {
      const [mediaType, content] = Object.entries(body.content)[0];
      const name = validatorName(id, "body", "json");
      ajv.addSchema(toJsonSchema(content.schema), name);
      exports[name] = name;
      requestBody = { required: Boolean(body.required), mediaType, validator: name };
    }
    routes.push({ operationId: id, method, path, secured, parameters: params, body: requestBody });
  }
  writeFileSync(join(GENERATED, `${key}.validators.cjs`), standaloneCode(ajv, exports));
  const ids = routes.map((r) => JSON.stringify(r.operationId)).join(" | ") || "never";
  writeFileSync(
    join(GENERATED, `${key}.routes.ts`),
    [
      "// Generated by scripts/build.mjs from openapi.yaml: do not edit.",
      'import type { RouteSpec } from "../core/routes.js";',
      `export type OperationId = ${ids};`,
      `export const ROUTES: readonly RouteSpec<OperationId>[] = ${JSON.stringify(routes, null, 2)};`,
      "",
    ].join("\n"),
  );
}

rmSync(GENERATED, { recursive: true, force: true });
mkdirSync(GENERATED, { recursive: true });
for (const [key, fn] of Object.entries(FUNCTIONS)) generate(key, fn);
for (const key of Object.keys(FUNCTIONS)) {
  writeFileSync(
    join(GENERATED, `${key}.validators.d.cts`),
    'import type { ValidateFunction } from "ajv";\ndeclare const validators: Record<string, ValidateFunction>;\nexport = validators;\n',
  );
}
// The authored spec, which each function serves whole at /openapi.json and /openapi.yaml.
writeFileSync(
  join(GENERATED, "spec.ts"),
  [
    "// Generated by scripts/build.mjs from openapi.yaml: do not edit.",
    // A string, parsed on the first request for a document: a cold start pays nothing for it.
    `export const SPEC_JSON = ${JSON.stringify(JSON.stringify(spec))};`,
    `export const SPEC_YAML = ${JSON.stringify(SPEC_TEXT)};`,
    "",
  ].join("\n"),
);
writeFileSync(join(GENERATED, "openapi.d.ts"), astToString(await openapiTS(new URL(`file://${SPEC_PATH}`))));

// The type check fails when a function's operations lack an operation of its tags: each
// function's operations are typed by the operationIds generated for its tags.
try {
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", ROOT], { stdio: "inherit" });
} catch {
  console.error("build: the type check failed (an operation of the spec without an implementation is one cause)");
  process.exit(1);
}

rmSync(DIST, { recursive: true, force: true });
await esbuild.build({
  entryPoints: Object.fromEntries(Object.entries(FUNCTIONS).map(([key, fn]) => [`${key}-handler`, join(ROOT, fn.entry)])),
  outdir: DIST,
  bundle: true,
  minify: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
// The bundles are CommonJS, whatever ts/package.json says of ts/'s own modules.
writeFileSync(join(DIST, "package.json"), '{"type": "commonjs"}\n');
