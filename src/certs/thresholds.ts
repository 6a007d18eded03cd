/**
 * Expiry thresholds: fractions of each certificate's own lifetime by default (so 90-, 64- and
 * 45-day certificates are judged alike), or absolute durations where a check overrides them.
 * A limit is "how much validity is left" at which a state begins.
 */
import { InputError } from "../errors.js";
import { parseDuration } from "../duration.js";

/** Time left at which a state begins: a fraction of the lifetime or an absolute duration. */
export type Limit = { fraction: number } | { durationMs: number };

/** The limits a judgement uses. */
export interface Thresholds {
  /** Renewal is due when this much is left (default 1/3: renewal at 2/3 as cert-manager renews). */
  renewBefore: Limit;
  /** How long after the renewal time an unchanged certificate is overdue (default 1/30 of the lifetime). */
  renewalGrace: Limit;
  /** Warning when this much is left and no renewal happened (default 1/3). */
  warning: Limit;
  /** Critical when this much is left (default 1/10). */
  critical: Limit;
}

/** The lifetime-relative defaults. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  renewBefore: { fraction: 1 / 3 },
  renewalGrace: { fraction: 1 / 30 },
  warning: { fraction: 1 / 3 },
  critical: { fraction: 1 / 10 },
};

const FRACTION = /^(\d+)\/(\d+)$/;
const PERCENT = /^(\d+(?:\.\d+)?)%$/;
const DECIMAL = /^0?\.\d+$|^0$|^1(?:\.0*)?$/;
const DAYS = /^(\d+(?:\.\d+)?)d(.*)$/;

/**
 * Parses a limit: a fraction (`1/3`, `0.1`, `10%`) of the lifetime or a duration (`720h`, `28d`,
 * `14d12h`; Go syntax plus a `d` day unit).
 * @throws InputError naming `where` and the accepted forms.
 */
export function parseLimit(text: string, where: string): Limit {
  const t = text.trim();
  const fail = (why: string): InputError =>
    new InputError(`invalid threshold "${text}": ${where} (${why}; use a fraction of the lifetime such as 1/3, 0.1 or 10%, or a duration such as 28d or 720h)`, {
      code: "InvalidThreshold",
    });
  let fraction: number | undefined;
  const f = FRACTION.exec(t);
  const p = PERCENT.exec(t);
  if (f) fraction = Number(f[1]) / Number(f[2]);
  else if (p) fraction = Number(p[1]) / 100;
  else if (DECIMAL.test(t)) fraction = Number(t);
  if (fraction !== undefined) {
    if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw fail("a fraction must be between 0 and 1");
    return { fraction };
  }
  const d = DAYS.exec(t);
  try {
    const ms = d ? Number(d[1]) * 86_400_000 + (d[2] ? parseDuration(d[2], where) : 0) : parseDuration(t, where);
    return { durationMs: ms };
  } catch {
    throw fail("not a fraction or a duration");
  }
}

/** The time left (ms) a limit means for a certificate with this lifetime (ms). */
export function limitMs(limit: Limit, lifetimeMs: number): number {
  return "fraction" in limit ? limit.fraction * lifetimeMs : limit.durationMs;
}

/** Formats a limit back into the text {@link parseLimit} reads. */
export function formatLimit(limit: Limit): string {
  if ("fraction" in limit) {
    const denominators = [2, 3, 4, 5, 10, 20, 30, 100];
    for (const d of denominators) {
      const n = limit.fraction * d;
      if (Math.abs(n - Math.round(n)) < 1e-9) return `${Math.round(n)}/${d}`;
    }
    return String(limit.fraction);
  }
  const days = limit.durationMs / 86_400_000;
  if (Number.isInteger(days)) return `${days}d`;
  return `${limit.durationMs / 1000}s`;
}

/** Thresholds with some limits overridden. */
export function withOverrides(base: Thresholds, overrides: Partial<Thresholds>): Thresholds {
  return {
    renewBefore: overrides.renewBefore ?? base.renewBefore,
    renewalGrace: overrides.renewalGrace ?? base.renewalGrace,
    warning: overrides.warning ?? base.warning,
    critical: overrides.critical ?? base.critical,
  };
}
