/**
 * The errors the ACME adapter raises: the server's problem (RFC 8555 §6.7) with its type and
 * status, a rate limit with the time it may be retried, and an unreachable server with the real
 * transport cause (acme-client otherwise hides it behind a TypeError).
 */
import { RemoteError } from "../errors.js";

/** The ACME server answered with a problem document. */
export class AcmeProblemError extends RemoteError {
  /** The problem type, e.g. `urn:ietf:params:acme:error:unauthorized`. */
  readonly problemType: string | undefined;
  constructor(message: string, problemType: string | undefined, status: number | undefined) {
    super(message, { code: "AcmeProblem", ...(status === undefined ? {} : { status }) });
    this.problemType = problemType;
  }
}

/** The ACME server limits our rate: try again at `retryAt`. */
export class AcmeRateLimitError extends AcmeProblemError {
  readonly retryAt: Date;
  constructor(message: string, problemType: string | undefined, status: number | undefined, retryAt: Date) {
    super(message, problemType, status);
    this.retryAt = retryAt;
  }
}

/**
 * When a `Retry-After` value (seconds or an HTTP date, RFC 9110 §10.2.3) says to retry, relative
 * to `now`; `fallbackMs` after now when absent or unparsable.
 */
export function retryAfterTime(header: string | undefined, now: Date, fallbackMs: number): Date {
  const value = header?.trim();
  if (value && /^\d+$/.test(value)) return new Date(now.getTime() + Number(value) * 1000);
  const date = value ? Date.parse(value) : NaN;
  if (!Number.isNaN(date)) return new Date(Math.max(date, now.getTime()));
  return new Date(now.getTime() + fallbackMs);
}
