/**
 * `sealbridge_vault_sealed`: 1 while a VaultUnsealer's node is sealed, 0 once it is unsealed, per
 * node (the PrometheusRule's VaultSealed alert, src/certs/prometheus-rule.ts). A node that was
 * never reached has no series; one that became unreachable keeps its last known state.
 */
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";

/** A node's sealed state as the plan's status.nodes[] carries it. */
interface NodeState {
  name?: unknown;
  sealed?: unknown;
}

/** Sets and drops the gauge's series per VaultUnsealer. */
export interface SealedMetric {
  /** After a pass: `nodes` is the planned status.nodes (absent: left as it was). */
  record(namespace: string, name: string, nodes: unknown): void;
  /** The VaultUnsealer `namespace/name` is gone: its series go. */
  forget(key: string): void;
}

/** Registers the gauge on `registry`. */
export function sealedMetric(registry: Registry): SealedMetric {
  const gauge = new Gauge({
    name: "sealbridge_vault_sealed",
    help: "1 while a Vault node of a VaultUnsealer is sealed, 0 when it is unsealed (last known state).",
    labelNames: ["namespace", "name", "node"] as const,
    registers: [registry],
  });
  const series = new Map<string, Set<string>>();
  return {
    record(namespace, name, nodes) {
      if (!Array.isArray(nodes)) return;
      const key = `${namespace}/${name}`;
      const before = series.get(key) ?? new Set<string>();
      const now = new Set<string>();
      for (const n of nodes as NodeState[]) {
        if (typeof n.name !== "string" || typeof n.sealed !== "boolean") continue;
        now.add(n.name);
        gauge.set({ namespace, name, node: n.name }, n.sealed ? 1 : 0);
      }
      for (const node of before) if (!now.has(node)) gauge.remove({ namespace, name, node });
      series.set(key, now);
    },
    forget(key) {
      const at = key.indexOf("/");
      const namespace = key.slice(0, at);
      const name = key.slice(at + 1);
      for (const node of series.get(key) ?? []) gauge.remove({ namespace, name, node });
      series.delete(key);
    },
  };
}
