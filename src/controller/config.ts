/**
 * The controller's configuration: every `sealbridge controller` flag and environment variable,
 * parsed once at start-up by one zod schema. Code behind this boundary sees only
 * `ControllerConfig`, never `process.env` or raw option strings.
 */
import { z } from "zod";
import { InputError } from "../errors.js";
import { parseDuration } from "../duration.js";
import { parseSinkFlag, type AlertSinkSpec } from "../alerts/sink-config.js";

/** A listen address: `host:port`, `:port` (all interfaces) or `[::1]:port`. Port 0 picks a free port. */
export interface ListenAddress {
  /** `undefined` means all interfaces. */
  host: string | undefined;
  port: number;
}

/** Worker counts: `default` for every reconciler, `perKind` by reconciler name (lower case). */
export interface ConcurrencyConfig {
  default: number;
  perKind: Record<string, number>;
}

/** Accepted `--log-level` values (pino levels). */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The parsed controller configuration. Durations are milliseconds. */
export interface ControllerConfig {
  /** Kubeconfig file from `--kubeconfig` or `KUBECONFIG`; `undefined` = in-cluster, else ~/.kube/config. */
  kubeconfig: string | undefined;
  /** The controller's own namespace (keys, lease, backups). */
  namespace: string;
  httpAddr: ListenAddress;
  /** Equal to `httpAddr` means `/metrics` is served by the main HTTP server. */
  metricsAddr: ListenAddress;
  leaderElect: boolean;
  leaseName: string;
  leaseDurationMs: number;
  leaseRenewDeadlineMs: number;
  leaseRetryPeriodMs: number;
  /** Lease holder identity: `POD_NAME` when set, else hostname plus a random suffix. */
  identity: string;
  concurrency: ConcurrencyConfig;
  /** The kinds to run, by reconciler name (`--reconcilers`); `undefined` runs every registered one. */
  reconcilers: string[] | undefined;
  resyncPeriodMs: number;
  /** How long a graceful shutdown waits for in-flight reconciles. */
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** Sealing key renewal period; 0 disables renewal. */
  keyRenewPeriodMs: number;
  keyPrefix: string;
  /** age recipients (`age1…`) the private keys are backed up to; empty = no backup. */
  keyBackupRecipients: string[];
  keyBackupConfigMap: string;
  /** Cluster default alert sinks (`--alert-sink TYPE=URL`) for CertificateChecks that name none. */
  alertSinks: AlertSinkSpec[];
  /** Run the VaultUnsealer reconciler (opt-in: it watches pods cluster-wide). */
  vaultUnsealer: boolean;
  /** POST /v1/verify: sustained requests per second and burst (sealed-secrets' --rate-limit, --rate-limit-burst). */
  verifyRateLimit: { perSecond: number; burst: number };
}

/** The raw inputs: commander's option object and the process environment. */
export interface ControllerConfigInput {
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** Used for the default identity; injected so tests are deterministic. */
  hostname: string;
  randomSuffix: string;
  /**
   * The registered kinds' names: when given, `--reconcilers` and `--concurrency kind=N` must name
   * only these (else checkKindNames does it once the factories are known).
   */
  kinds?: readonly string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function duration(where: string) {
  return z.string().transform((text, ctx) => {
    try {
      return parseDuration(text, where);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/**
 * Parses `host:port`, `:port` or `[v6]:port`.
 * @throws InputError when the address has no valid port.
 */
export function parseListenAddress(text: string, where: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new InputError(`invalid listen address "${text}": ${where} (use host:port or :port, e.g. :8080 or 127.0.0.1:8080)`);
  }
  const host = match[1] ?? match[2];
  return { host: host === "" || host === undefined ? undefined : host, port };
}

function address(where: string) {
  return z.string().transform((text, ctx) => {
    try {
      return parseListenAddress(text, where);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/**
 * Parses `--concurrency` values: `4` (the default for every kind) and/or `kind=n` items,
 * comma-separated, possibly repeated.
 * @throws InputError on anything else or a count outside 1..256.
 */
export function parseConcurrency(values: readonly string[], fallback: number): ConcurrencyConfig {
  const out: ConcurrencyConfig = { default: fallback, perKind: {} };
  for (const value of values) {
    for (const item of value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
      const eq = item.indexOf("=");
      const kind = eq === -1 ? "default" : item.slice(0, eq).trim().toLowerCase();
      const countText = eq === -1 ? item : item.slice(eq + 1).trim();
      const count = Number(countText);
      if (!/^\d+$/.test(countText) || count < 1 || count > 256 || kind === "") {
        throw new InputError(
          `invalid concurrency "${item}": --concurrency (use N or kind=N with 1 <= N <= 256, e.g. sealedsecret=4,externalsecret=8)`,
        );
      }
      if (kind === "default") out.default = count;
      else out.perKind[kind] = count;
    }
  }
  return out;
}

/**
 * Parses `--reconcilers` values: kind names, comma-separated, possibly repeated (lower-cased).
 * @throws InputError when the list is empty.
 */
export function parseReconcilerList(values: readonly string[]): string[] {
  const names = values.flatMap((v) => v.split(",")).map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  if (names.length === 0) {
    throw new InputError("no kind named: --reconcilers (name one or more, e.g. --reconcilers sealedsecret,agesecret)", { code: "InvalidConfig" });
  }
  return [...new Set(names)];
}

/**
 * Checks that `--reconcilers` and `--concurrency kind=N` name only registered kinds.
 * @throws InputError naming the unknown kind and listing the known ones.
 */
export function checkKindNames(config: Pick<ControllerConfig, "reconcilers" | "concurrency">, kinds: readonly string[]): void {
  const known = new Set(kinds);
  const list = `known: ${kinds.join(", ")}`;
  for (const name of config.reconcilers ?? []) {
    if (!known.has(name)) throw new InputError(`unknown kind "${name}": --reconcilers (${list})`, { code: "InvalidConfig" });
  }
  for (const name of Object.keys(config.concurrency.perKind)) {
    if (!known.has(name)) throw new InputError(`unknown kind "${name}": --concurrency (${list})`, { code: "InvalidConfig" });
  }
}

/** A whole number flag within 1..max (commander hands over text). */
function count(where: string, max: number) {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const text = String(v).trim();
    const n = Number(text);
    if (/^\d+$/.test(text) && n >= 1 && n <= max) return n;
    ctx.addIssue({ code: "custom", message: `invalid count "${text}": ${where} (use a whole number from 1 to ${max})` });
    return z.NEVER;
  });
}

const stringList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const flagsSchema = z.object({
  kubeconfig: z.string().min(1).optional(),
  namespace: z.string().regex(DNS_LABEL, "must be a DNS label (lower case, digits, '-')").max(63).optional(),
  httpAddr: address("--http-addr").prefault(":8080"),
  metricsAddr: address("--metrics-addr").prefault(":8081"),
  leaderElect: z.boolean().default(false),
  leaseName: z.string().regex(DNS_SUBDOMAIN, "must be a DNS subdomain").max(253).default("sealbridge-controller"),
  leaseDuration: duration("--lease-duration").default(15_000),
  leaseRenewDeadline: duration("--lease-renew-deadline").default(10_000),
  leaseRetryPeriod: duration("--lease-retry-period").default(2_000),
  concurrency: stringList,
  reconcilers: z.union([z.string(), z.array(z.string())]).optional(),
  resyncPeriod: duration("--resync-period").default(600_000),
  shutdownTimeout: duration("--shutdown-timeout").default(30_000),
  logLevel: z.enum(LOG_LEVELS).optional(),
  keyRenewPeriod: duration("--key-renew-period").default(720 * 3_600_000),
  keyPrefix: z.string().regex(DNS_SUBDOMAIN, "must be a DNS subdomain prefix").max(200).default("sealed-secrets-key"),
  keyBackupRecipient: stringList.pipe(z.array(z.string().regex(/^age1[0-9a-z]+$/, "must be an age recipient (age1…)"))),
  keyBackupConfigMap: z.string().regex(DNS_SUBDOMAIN, "must be a DNS subdomain").max(253).default("sealbridge-key-backup"),
  alertSink: stringList.pipe(
    z.array(
      z.string().transform((text, ctx): AlertSinkSpec => {
        try {
          return parseSinkFlag(text);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
          return z.NEVER;
        }
      }),
    ),
  ),
  vaultUnsealer: z.boolean().default(false),
  rateLimit: count("--rate-limit", 10_000).default(2),
  rateLimitBurst: count("--rate-limit-burst", 10_000).default(2),
});

const envSchema = z.object({
  KUBECONFIG: z.string().optional(),
  POD_NAMESPACE: z.string().optional(),
  POD_NAME: z.string().optional(),
  SEALBRIDGE_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
});

function issuesText(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      const flag = path === "" ? "" : `--${path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: `;
      return `${flag}${issue.message}`;
    })
    .join("; ");
}

/**
 * Builds the controller configuration from flags and environment, once, before anything starts.
 * @throws InputError naming every invalid flag or variable.
 */
export function parseControllerConfig(input: ControllerConfigInput): ControllerConfig {
  const flags = flagsSchema.safeParse(input.flags);
  if (!flags.success) {
    throw new InputError(`invalid controller configuration: ${issuesText(flags.error)} (fix the flags and start again)`, {
      code: "InvalidConfig",
    });
  }
  const env = envSchema.safeParse(input.env);
  if (!env.success) {
    throw new InputError(
      `invalid controller environment: ${env.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")} (fix the environment variables)`,
      { code: "InvalidConfig" },
    );
  }
  const f = flags.data;
  const e = env.data;
  const concurrency = parseConcurrency(f.concurrency, 2);
  const reconcilers = f.reconcilers === undefined ? undefined : parseReconcilerList(Array.isArray(f.reconcilers) ? f.reconcilers : [f.reconcilers]);
  if (input.kinds) checkKindNames({ reconcilers, concurrency }, input.kinds);
  const kubeconfigEnv = e.KUBECONFIG?.split(":").find((p) => p !== "");
  const namespace = f.namespace ?? (e.POD_NAMESPACE && DNS_LABEL.test(e.POD_NAMESPACE) ? e.POD_NAMESPACE : undefined) ?? "sealbridge";
  if (f.leaseRenewDeadline >= f.leaseDuration || f.leaseRetryPeriod >= f.leaseRenewDeadline || f.leaseRetryPeriod <= 0) {
    throw new InputError(
      "invalid leader election timing: --lease-duration, --lease-renew-deadline, --lease-retry-period (need duration > renew deadline > retry period > 0, e.g. 15s, 10s, 2s)",
      { code: "InvalidConfig" },
    );
  }
  if (f.resyncPeriod < 1000) {
    throw new InputError("invalid resync period: --resync-period (use at least 1s, e.g. 10m)", { code: "InvalidConfig" });
  }
  return {
    kubeconfig: f.kubeconfig ?? kubeconfigEnv,
    namespace,
    httpAddr: f.httpAddr,
    metricsAddr: f.metricsAddr,
    leaderElect: f.leaderElect,
    leaseName: f.leaseName,
    leaseDurationMs: f.leaseDuration,
    leaseRenewDeadlineMs: f.leaseRenewDeadline,
    leaseRetryPeriodMs: f.leaseRetryPeriod,
    identity: e.POD_NAME ?? `${input.hostname}_${input.randomSuffix}`,
    concurrency,
    reconcilers,
    resyncPeriodMs: f.resyncPeriod,
    shutdownTimeoutMs: f.shutdownTimeout,
    logLevel: f.logLevel ?? e.SEALBRIDGE_LOG_LEVEL ?? "info",
    keyRenewPeriodMs: f.keyRenewPeriod,
    keyPrefix: f.keyPrefix,
    keyBackupRecipients: f.keyBackupRecipient,
    keyBackupConfigMap: f.keyBackupConfigMap,
    alertSinks: f.alertSink,
    vaultUnsealer: f.vaultUnsealer,
    verifyRateLimit: { perSecond: f.rateLimit, burst: f.rateLimitBurst },
  };
}

/** The worker count for a reconciler name. */
export function concurrencyFor(config: ConcurrencyConfig, name: string): number {
  return config.perKind[name.toLowerCase()] ?? config.default;
}
