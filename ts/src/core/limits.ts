// What a request must be before anything parses it (api/web/limits.py): headers and body
// within their limits, and a body's media type one media type, in UTF-8.
import { BodyTooLarge, HeadersTooLarge, UnsupportedMediaType } from "./errors.js";
import type { HttpRequest } from "./http.js";
import { parameterOf, parseMediaType } from "./media-types.js";

export const MAX_HEADER_BYTES = 8 * 1024;
export const MAX_HEADERS_BYTES = 16 * 1024;
// Methods whose body means something to this API: a body there must say what it is.
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

function latin1Length(text: string): number {
  // ASGI carries header values as bytes: API Gateway's UTF-8 text, byte for byte.
  return Buffer.byteLength(text, "utf8");
}

/** HeadersTooLarge (431), BodyTooLarge (413) or UnsupportedMediaType (415), as the Python
 * middleware raises them, in its order. */
export function checkLimits(request: HttpRequest, maxBodyBytes: number): void {
  let total = 0;
  for (const [name, value] of request.headers) {
    if (latin1Length(value) > MAX_HEADER_BYTES) throw new HeadersTooLarge(`A request header exceeds ${MAX_HEADER_BYTES} bytes.`);
    total += latin1Length(name) + latin1Length(value);
  }
  if (total > MAX_HEADERS_BYTES) throw new HeadersTooLarge(`The request headers exceed ${MAX_HEADERS_BYTES} bytes.`);
  const declared = request.headers.get("content-length");
  if (declared !== undefined && /^[0-9]+$/.test(declared) && Number(declared) > maxBodyBytes) {
    throw new BodyTooLarge(`The request body must not exceed ${maxBodyBytes} bytes.`);
  }
  if (request.body.length > maxBodyBytes) throw new BodyTooLarge(`The request body must not exceed ${maxBodyBytes} bytes.`);
  const contentType = request.headers.get("content-type");
  if (contentType === undefined) {
    if (request.body.length && BODY_METHODS.has(request.method)) {
      throw new UnsupportedMediaType("A request body needs a Content-Type header: this API takes application/json.");
    }
    return;
  }
  const mediaType = parseMediaType(contentType);
  if (mediaType === null) throw new UnsupportedMediaType("The Content-Type header is not one media type, such as application/json.");
  const charset = parameterOf(mediaType, "charset");
  if (charset !== null && charset.toLowerCase() !== "utf-8") throw new UnsupportedMediaType("A JSON body must be encoded in UTF-8 (RFC 8259).");
}
