// JSON spelled as Python's json.dumps spells it, byte for byte: what the Python functions
// answer and store (the problem documents, the operations' bodies, the idempotency records'
// data and hashes, the cursors' canonical form).

export interface DumpsOptions {
  /** Members sorted by key, in code-point order (`sort_keys=True`). */
  sortKeys?: boolean;
  /** [item separator, key separator]: Python's default is [", ", ": "]. */
  separators?: [string, string];
  /** Every character from U+0080 on as a \u escape (Python's default, `ensure_ascii`). */
  ensureAscii?: boolean;
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function hex4(unit: number): string {
  return "\\u" + unit.toString(16).padStart(4, "0");
}

/** A string as Python's json.dumps writes it. */
export function pyString(value: string, ensureAscii = true): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    const unit = value.charCodeAt(i);
    const escape = ESCAPES[char];
    if (escape !== undefined) out += escape;
    else if (unit < 0x20) out += hex4(unit);
    else if (ensureAscii && unit > 0x7f) out += hex4(unit);
    else out += char;
  }
  return out + '"';
}

function compareCodePoints(a: string, b: string): number {
  // Python sorts str by code point; JS compares UTF-16 units, which differs past U+FFFF.
  const left = Array.from(a, (c) => c.codePointAt(0) as number);
  const right = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return (left[i] as number) - (right[i] as number);
  }
  return left.length - right.length;
}

/** A number as Python writes an int (or a float that holds an integer, as `1.0`). */
function pyNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError("JSON has no NaN or Infinity");
  return String(value);
}

/** `value` as Python's json.dumps(value, ...) writes it. */
export function pyDumps(value: unknown, options: DumpsOptions = {}): string {
  const [itemSep, keySep] = options.separators ?? [", ", ": "];
  const ensureAscii = options.ensureAscii ?? true;
  const write = (node: unknown): string => {
    if (node === null || node === undefined) return "null";
    if (typeof node === "boolean") return node ? "true" : "false";
    if (typeof node === "number") return pyNumber(node);
    if (typeof node === "bigint") return node.toString();
    if (typeof node === "string") return pyString(node, ensureAscii);
    if (Array.isArray(node)) return "[" + node.map(write).join(itemSep) + "]";
    if (typeof node === "object") {
      let keys = Object.keys(node).filter((k) => (node as Record<string, unknown>)[k] !== undefined);
      if (options.sortKeys) keys = keys.sort(compareCodePoints);
      return (
        "{" +
        keys.map((k) => pyString(k, ensureAscii) + keySep + write((node as Record<string, unknown>)[k])).join(itemSep) +
        "}"
      );
    }
    throw new TypeError(`cannot write ${typeof node} as JSON`);
  };
  return write(value);
}
