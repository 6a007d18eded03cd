/** `sealbridge doctor`'s flags, parsed once (zod) into what the observer and printer need. */
import { z } from "zod";
import { parseDuration } from "../duration.js";
import { InputError } from "../errors.js";

/** Parsed doctor flags. */
export interface DoctorOptions {
  output: "text" | "json";
  kubeconfig: string | undefined;
  context: string | undefined;
  namespace: string;
  serviceName: string;
  leaseName: string;
  vaultProbe: boolean;
  timeoutMs: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const flagsSchema = z.object({
  output: z.enum(["text", "json"], { message: "must be text or json" }).default("text"),
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  namespace: z.string().regex(DNS_LABEL, "must be a namespace name (lower case, digits, '-')").max(63).default("sealbridge"),
  serviceName: z.string().regex(DNS_LABEL, "must be a Service name (lower case, digits, '-')").max(63).default("sealbridge"),
  leaseName: z.string().regex(DNS_SUBDOMAIN, "must be a Lease name (a DNS subdomain)").max(253).default("sealbridge-controller"),
  vaultProbe: z.boolean().default(true),
  timeout: z.string().default("10s"),
});

const FLAG_NAMES: Record<string, string> = { output: "-o/--output", namespace: "-n/--namespace", serviceName: "--service-name", leaseName: "--lease-name", kubeconfig: "--kubeconfig", context: "--context" };

/**
 * Parses the flags commander collected.
 * @throws InputError (exitCode 2) naming the flag and what it accepts.
 */
export function parseDoctorOptions(raw: Record<string, unknown>): DoctorOptions {
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    const flag = FLAG_NAMES[field] ?? `--${field}`;
    throw Object.assign(new InputError(`invalid flag: ${flag} ${issue?.message ?? "is invalid"} (see sealbridge doctor --help)`, { code: "InvalidFlags" }), { exitCode: 2 });
  }
  const f = parsed.data;
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(f.timeout, "--timeout");
  } catch (err) {
    throw Object.assign(err instanceof Error ? err : new InputError("invalid --timeout"), { exitCode: 2 });
  }
  if (timeoutMs <= 0) throw Object.assign(new InputError("invalid --timeout: must be more than 0 (e.g. 10s)", { code: "InvalidFlags" }), { exitCode: 2 });
  return { output: f.output, kubeconfig: f.kubeconfig, context: f.context, namespace: f.namespace, serviceName: f.serviceName, leaseName: f.leaseName, vaultProbe: f.vaultProbe, timeoutMs };
}
