// Who is calling (api/rules/principal.py): the principal a verified token names, and the one
// rule of who may see what. The principal is an input of every service call.
import { Forbidden, Unauthenticated } from "./errors.js";

export const SUBJECT_MAX_LENGTH = 255;
const INVISIBLE = "\\x00-\\x1F\\x7F-\\x9F\\u00AD\\u061C\\u180E\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF";
// Python's `\s` (str.isspace) and ECMA-262's differ only on characters INVISIBLE excludes.
const SUBJECT = new RegExp(`^[^${INVISIBLE}]*[^\\s${INVISIBLE}][^${INVISIBLE}]*$`, "u");

/** A caller: the `sub` of its token, and whether it is an administrator. */
export class Principal {
  constructor(
    readonly subject: string,
    readonly admin = false,
  ) {}

  /** Whether this caller may see what `owner` owns (or describes): its own, or, for an
   * administrator, anything. What it may not see does not exist for it (404). */
  maySee(owner: string | null | undefined): boolean {
    return this.admin || (owner !== null && owner !== undefined && owner === this.subject);
  }

  /** Forbidden unless this caller is an administrator; `action` completes "may ...". */
  requireAdmin(action: string): void {
    if (!this.admin) throw new Forbidden(`Only administrators may ${action}.`);
  }
}

/** Whether `value` can name a caller: openapi.yaml's Subject (length in code points). */
export function isSubject(value: unknown): value is string {
  if (typeof value !== "string" || [...value].length > SUBJECT_MAX_LENGTH) return false;
  return SUBJECT.test(value);
}

function groups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === "string");
  if (typeof claim === "string" && claim.startsWith("[") && claim.endsWith("]")) return claim.slice(1, -1).split(" ");
  return [];
}

/** The caller that verified `claims` name; Unauthenticated if they name no usable subject. */
export function principalFromClaims(claims: Record<string, unknown>, options: { adminClaim: string; adminGroup: string }): Principal {
  const subject = claims.sub;
  if (!isSubject(subject)) throw new Unauthenticated("The token names no subject this API can use.");
  return new Principal(subject, groups(claims[options.adminClaim]).includes(options.adminGroup));
}
