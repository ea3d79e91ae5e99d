// Entity tags (api/rules/etags.py): which versions a conditional request applies to.
import { pyStrip } from "./text.js";

// RFC 9110 section 8.8.3: `*`, or entity tags ("3", W/"3") separated by commas.
const TAG = '(W/)?"[\\x21\\x23-\\x7E]*"';
const ENTITY_TAGS = new RegExp(`^[ \\t]*(\\*|${TAG}([ \\t]*,[ \\t]*${TAG})*)[ \\t]*$`);

/** The strong entity tag of a resource's version: "3". */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** True when a request with this If-Match header may change a resource tagged `etag`
 * (strong comparison: a weak tag never matches). */
export function ifMatchAllows(header: string | undefined | null, etag: string): boolean {
  if (header === undefined || header === null) return true;
  const candidates = header.split(",").map(pyStrip);
  return candidates.includes("*") || candidates.includes(etag);
}

const opaque = (tag: string): string => (tag.startsWith("W/") ? tag.slice(2) : tag);

/** True unless If-None-Match names the resource's current tag `etag` or is `*` (weak
 * comparison). */
export function ifNoneMatchAllows(header: string | undefined | null, etag: string): boolean {
  if (header === undefined || header === null) return true;
  const candidates = header.split(",").map(pyStrip);
  return !candidates.includes("*") && !candidates.map(opaque).includes(opaque(etag));
}

/** Whether `header` is `*` or a list of entity tags, as RFC 9110 writes them. */
export function isEntityTagList(header: string): boolean {
  return ENTITY_TAGS.test(header);
}
