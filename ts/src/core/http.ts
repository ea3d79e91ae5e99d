// The HTTP exchange as the core sees it: a request read from an API Gateway HTTP API
// (payload 2.0) event, and the response given back as the event's result.

export interface HttpRequest {
  method: string;
  path: string;
  /** The query's pairs in order, decoded (a name may repeat). */
  query: [string, string][];
  /** Header names lower-case; repeated headers as API Gateway joins them (comma-separated). */
  headers: Map<string, string>;
  body: Buffer;
  requestId: string;
  event: GatewayEvent;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface GatewayEvent {
  version?: string;
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  cookies?: string[];
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: {
    requestId?: string;
    http?: { method?: string; path?: string };
    authorizer?: unknown;
  };
  [key: string]: unknown;
}

export interface LambdaContext {
  awsRequestId?: string;
  [key: string]: unknown;
}

export interface GatewayResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** `text` with its %XX escapes decoded as UTF-8, as Python's urllib.parse.unquote does: an
 * invalid escape stays as written, bytes that are not UTF-8 become U+FFFD. */
export function unquote(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const escape = /^%[0-9A-Fa-f]{2}/.exec(text.slice(i, i + 3));
    if (escape) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const point = text.codePointAt(i) as number;
      const char = String.fromCodePoint(point);
      bytes.push(...Buffer.from(char, "utf8"));
      if (point > 0xffff) i++;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function decodeComponent(text: string): string {
  return unquote(text.replace(/\+/g, " "));
}

/** The pairs of a raw query string, as Python's parse_qsl(keep_blank_values=True) reads them. */
export function parseQuery(raw: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const at = part.indexOf("=");
    const name = at < 0 ? part : part.slice(0, at);
    const value = at < 0 ? "" : part.slice(at + 1);
    pairs.push([decodeComponent(name), decodeComponent(value)]);
  }
  return pairs;
}

/** The request an HTTP API (payload 2.0) event carries. */
export function requestFromEvent(event: GatewayEvent, context: LambdaContext | undefined, freshId: () => string): HttpRequest {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name.toLowerCase(), value);
  }
  if (event.cookies?.length && !headers.has("cookie")) headers.set("cookie", event.cookies.join("; "));
  const raw = event.body ?? "";
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  const requestId = event.requestContext?.requestId || context?.awsRequestId || freshId();
  return {
    method: (event.requestContext?.http?.method ?? "GET").toUpperCase(),
    path: unquote(event.requestContext?.http?.path ?? event.rawPath ?? "") || "/",
    query: parseQuery(event.rawQueryString ?? ""),
    headers,
    body,
    requestId: String(requestId),
    event,
  };
}

/** The event's result for `response`; as Mangum answers, a response without a
 * Content-Type says application/json. */
export function toGatewayResult(response: HttpResponse): GatewayResult {
  const headers = { ...response.headers };
  headers["content-type"] ??= "application/json";
  return { statusCode: response.status, headers, body: response.body ?? "", isBase64Encoded: false };
}
