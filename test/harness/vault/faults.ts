/**
 * Fault injection and request counting, switchable at run time from tests: added latency and
 * failure statuses (5xx, 429) per path regex. Rates are deterministic: a rate of 0.25 fails
 * exactly every fourth matching request, so tests never depend on luck.
 */
import { errorReply } from "./envelope.js";
import type { VaultReply } from "./envelope.js";

interface LatencyRule {
  re: RegExp;
  ms: number;
}

interface FailRule {
  re: RegExp;
  status: number;
  /** Fraction in (0, 1) of matching requests to fail, or null when counting down. */
  rate: number | null;
  /** Requests left to fail when counting down. */
  remaining: number;
  seen: number;
}

/** The error body Vault would send with an injected status. */
function faultReply(status: number, path: string): VaultReply {
  if (status === 429) return errorReply(429, [`request path "${path.replace(/^\/v1\//, "")}": rate limit quota exceeded`]);
  if (status === 503) return errorReply(503, ["Vault is sealed"]);
  if (status === 502) return errorReply(502, ["upstream rate limited"]);
  if (status === 403) return errorReply(403, ["permission denied"]);
  if (status === 404 || status === 405) return errorReply(status, []);
  if (status === 400) return errorReply(400, ["invalid request"]);
  return errorReply(status, ["internal error"]);
}

/** The fault rules of one cluster (all nodes). */
export class Faults {
  private latency: LatencyRule[] = [];
  private failures: FailRule[] = [];

  /** Adds `ms` of latency to requests whose path (`/v1/…`) matches. */
  latencyMs(pathRegex: RegExp | string, ms: number): void {
    this.latency.push({ re: new RegExp(pathRegex), ms });
  }

  /**
   * Fails matching requests with `status`: a `rateOrCount` below 1 is a fraction of them (every
   * 1/rate-th, deterministically); 1 or more is a count of the next matching requests.
   */
  failRate(pathRegex: RegExp | string, status: number, rateOrCount: number): void {
    const rate = rateOrCount < 1 ? rateOrCount : null;
    this.failures.push({ re: new RegExp(pathRegex), status, rate, remaining: rate === null ? Math.floor(rateOrCount) : 0, seen: 0 });
  }

  /** Removes every latency and failure rule. */
  clear(): void {
    this.latency = [];
    this.failures = [];
  }

  /** The total delay for a path. */
  delayFor(path: string): number {
    return this.latency.filter((r) => r.re.test(path)).reduce((sum, r) => sum + r.ms, 0);
  }

  /** The injected failure for this request, or null to serve it normally. */
  failureFor(path: string): VaultReply | null {
    for (const rule of this.failures) {
      if (!rule.re.test(path)) continue;
      if (rule.rate === null) {
        if (rule.remaining <= 0) continue;
        rule.remaining -= 1;
        return faultReply(rule.status, path);
      }
      const before = Math.floor(rule.seen * rule.rate);
      rule.seen += 1;
      if (Math.floor(rule.seen * rule.rate) > before) return faultReply(rule.status, path);
    }
    return null;
  }
}

/** Counts the requests a cluster received. */
export class RequestCounter {
  private log: { method: string; path: string }[] = [];

  /** Records one request. */
  record(method: string, path: string): void {
    this.log.push({ method, path });
  }

  /** How many requests matched the method (any when omitted) and path regex (any when omitted). */
  requests(method?: string, pathRegex?: RegExp | string): number {
    const re = pathRegex === undefined ? null : new RegExp(pathRegex);
    return this.log.filter((r) => (method === undefined || r.method === method.toUpperCase()) && (re === null || re.test(r.path))).length;
  }

  /** Forgets every recorded request. */
  reset(): void {
    this.log = [];
  }
}
