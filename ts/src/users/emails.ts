// Email normalisation (contract/DATA.md, "Email normalisation"; api/users/service.py's
// normalize_email): the one spelling that is stored, guarded and looked up.
import { idnHostname, punycode } from "idn-hostname";

import { InvalidRequest } from "../core/errors.js";
import { codePoints } from "../core/text.js";

// openapi.yaml's Email schema, which the normalised email satisfies too.
export const EMAIL_MAX_LENGTH = 254;
const EMAIL = /^[ \t]*[^\s@\x00-\x1F\x7F-\x9F\uFEFF]+@[^\s@\x00-\x1F\x7F-\x9F\uFEFF]+[ \t]*$/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// UTS 46's label separators: the root's final one is dropped, as Python's idna keeps it.
const FINAL_SEPARATOR = /[.\u3002\uFF0E\uFF61]$/;

const nfc = (text: string): string => text.normalize("NFC");
const lowered = (text: string): string => nfc(nfc(text).toLowerCase());

function trimSpacesAndTabs(text: string): string {
  return text.replace(/^[ \t]+/, "").replace(/[ \t]+$/, "");
}

/** `domain` as IDNA 2008 U-labels after UTS 46 mapping (nontransitional, STD3 rules off),
 * without a final dot; a domain IDNA 2008 refuses, in NFC and lower-cased. */
function normalDomain(domain: string): string {
  try {
    return punycode.toUnicode(idnHostname(domain.replace(FINAL_SEPARATOR, "")));
  } catch {
    return lowered(domain);
  }
}

/** The normal form of `email`; InvalidRequest, naming the field, if that form no longer
 * satisfies the schema the email was sent under. */
export function normalizeEmail(email: string): string {
  const trimmed = trimSpacesAndTabs(email);
  const at = trimmed.lastIndexOf("@");
  const [local, domain] = at < 0 ? ["", trimmed] : [trimmed.slice(0, at), trimmed.slice(at + 1)];
  const normalized = `${lowered(local)}${at < 0 ? "" : "@"}${normalDomain(domain)}`;
  if (codePoints(normalized) > EMAIL_MAX_LENGTH) {
    throw new InvalidRequest(
      `'email' is longer than ${EMAIL_MAX_LENGTH} characters once normalized (lower-casing and IDNA mapping can lengthen it).`,
    );
  }
  if (!EMAIL.test(normalized) || LONE_SURROGATE.test(normalized)) {
    throw new InvalidRequest("'email' is not an email address once normalized.");
  }
  return normalized;
}
