// Python's str methods where JS's differ.

// Python's str.isspace(): Unicode White_Space and the separators \x1c-\x1f (not U+FEFF).
const SPACE = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

/** `text` without the white space around it, as Python's str.strip() takes it off. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.test(text[start] as string)) start++;
  while (end > start && SPACE.test(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

/** The length of `text` in code points, as Python's len() counts a str. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
