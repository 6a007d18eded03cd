/**
 * JSON logs (pino) with secrets scrubbed twice: by field name at any depth (`data`, `stringData`,
 * `encryptedData`, `token`, `password`, …) and by value shape (PEM private keys, age secret keys,
 * bearer tokens, JWTs), in fields and in messages alike. Core code logs through ControllerLogger.
 */
import { pino } from "pino";
import type { DestinationStream, Logger } from "pino";

/** pino's level names (`--log-level`). */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** Structured logger; field values are redacted by the logger's configuration. */
export interface StructuredLogger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(fields: Record<string, unknown>): StructuredLogger;
}

/** Field names whose whole value is never logged, at any depth (compared case-insensitively). */
const SECRET_CONTAINERS = new Set(["data", "stringData", "encryptedData", "binaryData", "keys", "keysB64"].map((s) => s.toLowerCase()));

/** Field names whose scalar values are never logged; objects under them are scrubbed field by field. */
const SECRET_FIELDS = new Set(
  [
    "token",
    "accessToken",
    "refreshToken",
    "clientToken",
    "password",
    "passphrase",
    "secret",
    "secretId",
    "secretKey",
    "privateKey",
    "apiKey",
    "apiToken",
    "authorization",
    "cookie",
    "unsealKey",
    "rootToken",
    "identity",
    "tls.key",
  ].map((s) => s.toLowerCase()),
);

const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\b(hvs|hvb|hvr|s)\.[A-Za-z0-9]{20,}/g,
];

/** What replaces a secret value in logs. */
export const REDACTED = "[REDACTED]";

/** Replaces secret-shaped substrings (private keys, age identities, tokens) in a string. */
export function scrubText(text: string): string {
  let out = text;
  for (const pattern of SECRET_VALUE_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** A deep copy of `value` with secret fields replaced and secret-shaped strings scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "[Truncated]";
  if (value instanceof Error) {
    return { name: value.name, message: scrubText(value.message), ...("code" in value ? { code: (value as { code: unknown }).code } : {}) };
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = key.toLowerCase();
    const present = v !== undefined && v !== null && v !== "";
    const scalar = typeof v !== "object" || Buffer.isBuffer(v) || v instanceof Uint8Array;
    out[key] = present && (SECRET_CONTAINERS.has(name) || (SECRET_FIELDS.has(name) && scalar)) ? REDACTED : scrubValue(v, depth + 1);
  }
  return out;
}

/** Level, destination and fixed fields of the logger. */
export interface LoggerOptions {
  level: LogLevel;
  /** Where the JSON lines go; default stdout. */
  destination?: DestinationStream;
  /** Fixed fields on every line. */
  base?: Record<string, unknown>;
}

/** Creates the process's pino logger with scrubbing in place. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? { component: "sealbridge" },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "msg",
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === "string" ? scrubText(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Adapts a pino logger to the StructuredLogger contract reconcilers use. */
export function controllerLogger(logger: Logger): StructuredLogger {
  return {
    debug: (fields, msg) => logger.debug(fields, msg),
    info: (fields, msg) => logger.info(fields, msg),
    warn: (fields, msg) => logger.warn(fields, msg),
    error: (fields, msg) => logger.error(fields, msg),
    child: (fields) => controllerLogger(logger.child(scrubValue(fields) as Record<string, unknown>)),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: StructuredLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
