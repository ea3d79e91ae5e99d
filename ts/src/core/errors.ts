// Domain errors: the conditions under which a request cannot be served as asked (as
// api/rules/errors.py names them). problems.ts renders them; nothing here knows HTTP beyond
// a status.

// The realm of the Bearer challenges (RFC 6750): the one protection space of this API.
export const REALM = "users-assets-api";

export type Headers = Record<string, string>;

/** A request that cannot be served as asked; `detail` is written for the client. */
export class DomainError extends Error {
  readonly status: number = 400;
  readonly detail: string;
  readonly headers: Headers;

  constructor(detail: string, options: { headers?: Headers } = {}) {
    super(detail);
    this.name = new.target.name;
    this.detail = detail;
    this.headers = { ...(options.headers ?? {}) };
  }
}

/** The request is well-formed but breaks a rule the schema cannot express. */
export class InvalidRequest extends DomainError {}

/** The cursor was not issued by this API for this very query. */
export class InvalidCursor extends DomainError {}

/** No bearer token, or one that is not valid: the caller is unknown. */
export class Unauthenticated extends DomainError {
  override readonly status = 401;

  constructor(detail: string, options: { tokenSent?: boolean } = {}) {
    let challenge = `Bearer realm="${REALM}"`;
    if (options.tokenSent ?? true) {
      // error_description allows no quote or backslash (RFC 6750 section 3).
      const description = [...detail].filter((c) => !'"\\'.includes(c) && c >= " " && c <= "~").join("");
      challenge += `, error="invalid_token", error_description="${description}"`;
    }
    super(detail, { headers: { "WWW-Authenticate": challenge } });
  }
}

/** The caller is known but may not do this. */
export class Forbidden extends DomainError {
  override readonly status = 403;
}

/** The caller has used up its quota of requests for the current window. */
export class RateLimited extends DomainError {
  override readonly status = 429;
}

/** There is no such resource, or it has expired. */
export class NotFound extends DomainError {
  override readonly status = 404;
}

/** The path has no operation for this method. */
export class MethodNotAllowed extends DomainError {
  override readonly status = 405;
}

/** Another live user already has this email. */
export class EmailTaken extends DomainError {
  override readonly status = 409;
}

/** The asset's file is not available: not uploaded yet, or rejected. */
export class AssetNotReady extends DomainError {
  override readonly status = 409;
}

/** The resource changed between reading and writing it; the write was not made. */
export class ConcurrentChange extends DomainError {
  override readonly status = 409;
}

/** The resource no longer has the entity tag the client made its change against. */
export class VersionMismatch extends DomainError {
  override readonly status = 412;
}

/** AWS kept throttling or failing through the retries; nothing was changed. */
export class ServiceUnavailable extends DomainError {
  override readonly status = 503;
  readonly errorType: string | null;
  readonly errorCode: string | null;

  constructor(
    detail = "The service is busy; nothing was changed. Retry shortly.",
    options: { errorType?: string | null; errorCode?: string | null } = {},
  ) {
    super(detail, { headers: { "Retry-After": "1" } });
    this.errorType = options.errorType ?? null;
    this.errorCode = options.errorCode ?? null;
  }
}

/** The Idempotency-Key was first used with another request body. */
export class IdempotencyKeyReused extends DomainError {
  override readonly status = 422;
}

/** A retry with an Idempotency-Key whose resource has been deleted since. */
export class CreatedResourceGone extends DomainError {
  override readonly status = 409;
}

/** A request with this Idempotency-Key is still being served. */
export class RequestInProgress extends DomainError {
  override readonly status = 409;
}

/** A request header, or all of them together, exceeds the limit. */
export class HeadersTooLarge extends DomainError {
  override readonly status = 431;
}

/** The request body exceeds the configured maximum. */
export class BodyTooLarge extends DomainError {
  override readonly status = 413;
}

/** The request body is not of a media type the operation takes, or does not say. */
export class UnsupportedMediaType extends DomainError {
  override readonly status = 415;
}
