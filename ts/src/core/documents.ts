// The spec as its authors wrote it, at /openapi.json and /openapi.yaml, and /docs, a page
// listing the operations (api/web/docs.py): served by each function without credentials,
// with a Cache-Control that lets CloudFront cache them, each made on its first request.
import type { HttpRequest, HttpResponse } from "./http.js";
import { pyDumps } from "./python-json.js";

export const DOCUMENT_CACHE_CONTROL = "public, max-age=300";
// The page runs no script and loads nothing.
const DOCS_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Python's html.escape. */
function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

/** An HTML page naming every operation of `spec`, its summary and where the spec is. */
export function docsPage(spec: Record<string, any>): string {
  const info = spec.info;
  const rows: string[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries<Record<string, any>>(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      rows.push(
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td>` +
          `<td>${escape(operation.summary ?? "")}</td><td><code>${escape(operation.operationId)}</code></td></tr>`,
      );
    }
  }
  const title = escape(`${info.title} ${info.version}`);
  return (
    "<!doctype html>\n<html lang=en><head><meta charset=utf-8>" +
    `<title>${title}</title>` +
    "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}" +
    "td{padding:.2em .8em;vertical-align:top}</style></head><body>" +
    `<h1>${title}</h1><p>${escape(info.description ?? "")}</p>` +
    '<p>The contract: <a href="/openapi.json">/openapi.json</a>, ' +
    '<a href="/openapi.yaml">/openapi.yaml</a>.</p>' +
    "<table><tr><th>method</th><th>path</th><th>summary</th><th>operationId</th></tr>\n" +
    `${rows.join("\n")}\n</table></body></html>\n`
  );
}

/** The server of the documents of the spec (as JSON, parsed on first use, and its YAML
 * text): a GET or HEAD of one of their paths answered, anything else null. */
export function documentServer(specJson: string, yaml: string): (request: HttpRequest) => HttpResponse | null {
  const spec = (): Record<string, any> => JSON.parse(specJson) as Record<string, any>;
  const makers: Record<string, [() => string, Record<string, string>]> = {
    "/openapi.json": [() => pyDumps(spec()), { "content-type": "application/json" }],
    "/openapi.yaml": [() => yaml, { "content-type": "application/yaml" }],
    "/docs": [() => docsPage(spec()), { "content-type": "text/html; charset=utf-8", "content-security-policy": DOCS_SECURITY_POLICY }],
  };
  const made = new Map<string, string>();
  return (request) => {
    const maker = makers[request.path];
    if (maker === undefined || !["GET", "HEAD"].includes(request.method)) return null;
    const [make, headers] = maker;
    let body = made.get(request.path);
    if (body === undefined) made.set(request.path, (body = make()));
    return {
      status: 200,
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)), "cache-control": DOCUMENT_CACHE_CONTROL },
      body: request.method === "HEAD" ? "" : body,
    };
  };
}
