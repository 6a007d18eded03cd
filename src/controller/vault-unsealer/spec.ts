/**
 * parse() of the VaultUnsealer kind: the raw object through the zod schema into the settings the
 * observe and plan steps use (defaults applied, durations in ms), or stalled with the field named.
 */
import type { AlertSinkSpec } from "../../alerts/sink-config.js";
import { vaultUnsealerSchema, type UnsealShare, type UnsealerNodeStatus } from "../../api/vault-unsealer.js";
import { parseDuration } from "../../duration.js";
import type { Condition } from "../runtime/conditions.js";
import type { KubeObject } from "../../kube/types.js";
import type { ParseResult } from "../runtime/kind.js";

/** Which nodes. */
export type UnsealerNodes =
  | { kind: "pods"; matchLabels: Record<string, string>; port: number; scheme: "http" | "https"; via: "PodIP" | "APIServerProxy" }
  | { kind: "addresses"; addresses: string[] };

/** A parsed VaultUnsealer with defaults applied. */
export interface UnsealerSpec {
  namespace: string;
  name: string;
  generation: number;
  nodes: UnsealerNodes;
  caBundle?: string;
  insecureSkipVerify: boolean;
  shares: UnsealShare[];
  sharesToUse: number;
  checkIntervalMs: number;
  alertAfterMs: number;
  /** The object's own alert sinks (`spec.alertSinks`); absent: the controller's defaults. */
  alertSinks?: AlertSinkSpec[];
  /** What the previous pass recorded. */
  previousNodes: UnsealerNodeStatus[];
  previousConditions: Condition[];
}

/** Defaults. */
export const UNSEALER_DEFAULTS = { port: 8200, checkIntervalMs: 30_000, alertAfterMs: 300_000 } as const;

/**
 * Parses a VaultUnsealer.
 * @returns the spec, or `{ok:false}` with reason InvalidSpec and the first bad field (never a value).
 */
export function parseVaultUnsealer(raw: KubeObject): ParseResult<UnsealerSpec> {
  const result = vaultUnsealerSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join(".") || "(root)";
    return { ok: false, reason: "InvalidSpec", message: `invalid VaultUnsealer: ${path}: ${issue?.message ?? "invalid"} (fix the manifest)` };
  }
  const o = result.data;
  const n = o.spec.nodes;
  const nodes: UnsealerNodes = n.addresses
    ? { kind: "addresses", addresses: n.addresses.map((a) => a.replace(/\/+$/, "")) }
    : { kind: "pods", matchLabels: n.selector?.matchLabels ?? {}, port: n.port ?? UNSEALER_DEFAULTS.port, scheme: n.scheme ?? "http", via: n.via ?? "PodIP" };
  const shares = o.spec.shares ?? [];
  return {
    ok: true,
    value: {
      namespace: raw.metadata.namespace ?? "",
      name: raw.metadata.name ?? "",
      generation: raw.metadata.generation ?? 0,
      nodes,
      ...(o.spec.caBundle !== undefined ? { caBundle: o.spec.caBundle } : {}),
      insecureSkipVerify: o.spec.insecureSkipVerify === true,
      shares,
      sharesToUse: Math.min(o.spec.sharesToUse ?? shares.length, shares.length),
      checkIntervalMs: o.spec.checkInterval !== undefined ? parseDuration(o.spec.checkInterval) : UNSEALER_DEFAULTS.checkIntervalMs,
      alertAfterMs: o.spec.alertAfter !== undefined ? parseDuration(o.spec.alertAfter) : UNSEALER_DEFAULTS.alertAfterMs,
      ...(o.spec.alertSinks !== undefined && o.spec.alertSinks.length > 0 ? { alertSinks: o.spec.alertSinks } : {}),
      previousNodes: o.status?.nodes ?? [],
      previousConditions: (o.status?.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status,
        reason: c.reason ?? "",
        message: c.message ?? "",
        lastTransitionTime: c.lastTransitionTime ?? "",
      })),
    },
  };
}
