// Safe storage names for files whose names come from clients (contract/DATA.md, "Keys").
// The contract fixes Unicode 14.0.0 (Python 3.11's unicodedata); Node's ICU is a later
// Unicode, so the categories come from the Unicode 14.0.0 data, not from `\p{…}`.
import letter from "@unicode/unicode-14.0.0/General_Category/Letter/regex.mjs";
import number from "@unicode/unicode-14.0.0/General_Category/Number/regex.mjs";
import other from "@unicode/unicode-14.0.0/General_Category/Other/regex.mjs";
import unassigned from "@unicode/unicode-14.0.0/General_Category/Unassigned/regex.mjs";

export const MAX_KEY_NAME = 100;
export const FALLBACK_NAME = "file";
const UNSAFE = /[^A-Za-z0-9._-]+/g;
const PATH_SEPARATORS = /[/\\]/;
// A noncharacter: unassigned in every Unicode version, so every normalisation treats it
// as Unicode 14.0 treats a code point it does not assign (a starter without a mapping).
const NEVER_ASSIGNED = "\uffff";
// The lowest and the highest non-zero canonical combining classes.
const COMBINING_CLASS_1 = "\u0334";
const COMBINING_CLASS_240 = "\u0345";

// Each regex matches one code point (as UTF-16) of its category; none has the g flag.
function isIn(category: RegExp, character: string): boolean {
  return category.test(character);
}

function isAlphanumeric(character: string): boolean {
  // Python's str.isalnum, which in Unicode 14.0 is exactly the categories L and N.
  return isIn(letter, character) || isIn(number, character);
}

/** Whether a character (of a decomposed string) has a non-zero canonical combining class.
 * JS has no API for the class; canonical reordering reveals it: a character of class c is
 * moved before U+0334 (class 1) if c > 1 and after U+0345 (class 240) if 0 < c < 240.
 * Classes never change once assigned, so Node's later Unicode answers as 14.0 does. */
function isCombining(character: string): boolean {
  const beforeLowest = character + COMBINING_CLASS_1;
  const afterHighest = COMBINING_CLASS_240 + character;
  return (
    beforeLowest.normalize("NFD") !== beforeLowest ||
    afterHighest.normalize("NFD") !== afterHighest
  );
}

/** The name in NFC, without any directory part or control and format characters. */
export function baseName(name: string): string {
  const stable = Array.from(name, (ch) => (isIn(unassigned, ch) ? NEVER_ASSIGNED : ch)).join("");
  const parts = stable.normalize("NFC").split(PATH_SEPARATORS);
  return Array.from(parts.at(-1) ?? "", (ch) => (isIn(other, ch) ? "" : ch)).join("");
}

/** A basename made only of [A-Za-z0-9._-] with at least one letter or digit, at most
 * MAX_KEY_NAME characters, never starting with a dot (so never "." or ".."), keeping the
 * extension; FALLBACK_NAME when nothing is left. */
export function safeFileName(fileName: string): string {
  // Accented letters keep their base letter (é -> e); anything else unsafe becomes "_".
  const decomposed = baseName(fileName).normalize("NFKD");
  let name = Array.from(decomposed, (ch) => (isCombining(ch) ? "" : ch))
    .join("")
    .replace(UNSAFE, "_")
    .replace(/^\.+/, "");
  if (name.length > MAX_KEY_NAME) {
    const dot = name.lastIndexOf(".");
    const extension = dot < 0 ? "" : name.slice(dot + 1);
    name =
      dot >= 0 && extension.length > 0 && extension.length <= 16
        ? `${name.slice(0, Math.min(dot, MAX_KEY_NAME - extension.length - 1))}.${extension}`
        : name.slice(0, MAX_KEY_NAME);
  }
  return /[A-Za-z0-9]/.test(name) ? name : FALLBACK_NAME;
}

/** Python's quote(s, safe=""): UTF-8, every byte but A-Z a-z 0-9 - . _ ~ as %XX. */
function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `attachment` with an ASCII fallback name and the original base name as RFC 6266 /
 * RFC 8187 `filename*`, so browsers save the file under its original name; a base name
 * without a letter or digit (".", "..", "...") is no name, and the fallback stands for it. */
export function contentDisposition(fileName: string): string {
  const fallback = safeFileName(fileName);
  const base = baseName(fileName);
  const original = Array.from(base).some(isAlphanumeric) ? base : fallback;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${percentEncode(original)}`;
}
