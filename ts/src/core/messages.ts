// Details in words for the client, bounded, with invisible characters shown as escapes
// (api/web/messages.py).

export const MAX_DETAIL = 300;
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]$/u;

/** `text` cut to `limit` characters (code points), with every invisible character shown as
 * its \u escape, so that a detail reads as what it is and cannot spoof another. */
export function bounded(text: string, limit = MAX_DETAIL): string {
  const shown: string[] = [];
  for (const char of text) {
    if (INVISIBLE.test(char)) {
      for (const c of "\\u" + (char.codePointAt(0) as number).toString(16).padStart(4, "0")) shown.push(c);
    } else {
      shown.push(char);
    }
  }
  return shown.length <= limit ? shown.join("") : shown.slice(0, limit - 1).join("") + "…";
}
