/**
 * Go-style durations (`time.ParseDuration` syntax): `1h30m`, `720h`, `10s`, `1.5s`, `250ms`, `0`.
 * Used for controller flags and for ESO's `refreshInterval`, which are written in Go syntax.
 */
import { InputError } from "./errors.js";

const UNIT_MS = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
} as const;

type Unit = keyof typeof UNIT_MS;

function isUnit(unit: string): unit is Unit {
  return Object.hasOwn(UNIT_MS, unit);
}

const TERM = /^(\d+(?:\.\d*)?|\.\d+)([a-zµμ]+)/;

/**
 * Parses a Go duration string into milliseconds (fractions of a millisecond are kept).
 * A leading `+` is accepted; negative durations are rejected, sealbridge never wants them.
 * @throws InputError when `text` is not Go duration syntax (e.g. `5` without a unit, `1d`, `-1s`).
 */
export function parseDuration(text: string, where = "duration"): number {
  const fail = (why: string): InputError =>
    new InputError(`invalid duration "${text}": ${where} (${why}; use Go syntax such as 30s, 10m, 1h30m, 720h or 0)`, {
      code: "InvalidDuration",
    });
  let rest = text.trim();
  if (rest.startsWith("+")) rest = rest.slice(1);
  if (rest.startsWith("-")) throw fail("negative durations are not allowed");
  if (rest === "0") return 0;
  if (rest === "") throw fail("empty");
  let total = 0;
  while (rest.length > 0) {
    const match = TERM.exec(rest);
    if (!match) throw fail(/^\d/.test(rest) ? "missing unit" : "unexpected characters");
    const [whole, amount, unit] = match as unknown as [string, string, string];
    if (!isUnit(unit)) throw fail(`unknown unit "${unit}"`);
    total += Number(amount) * UNIT_MS[unit];
    rest = rest.slice(whole.length);
  }
  if (!Number.isFinite(total)) throw fail("too large");
  return total;
}

/** Formats milliseconds the way Go prints a duration (`1h30m0s`, `10s`, `250ms`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  let out = "";
  if (hours > 0) out += `${hours}h`;
  if (hours > 0 || minutes > 0) out += `${minutes}m`;
  out += `${Number(seconds.toFixed(3))}s`;
  return out;
}
