/** The Vault nodes link: every node a VaultUnsealer watches is unsealed (per node status the controller records). */
import { worstFirst, worstStatus, type CheckItem, type CheckResult } from "../check-result.js";
import type { Observed } from "../observed.js";
import { conditionOf, objectName, unreadList } from "./status-objects.js";

/** Judges every VaultUnsealer's nodes. Pure. */
export function vaultNodesCheck(o: Observed): CheckResult {
  const name = "vault-nodes";
  const read = o.unsealers;
  if (read === undefined) return { name, status: "skip", message: "not observed" };
  if (!read.ok) return unreadList(name, "VaultUnsealers", read);
  if (read.value.length === 0) return { name, status: "skip", message: "no VaultUnsealers (Vault seal state not watched)" };
  const items: CheckItem[] = [];
  for (const u of read.value) {
    const owner = objectName(u);
    if (u.nodes.length === 0) {
      const ready = conditionOf(u, "Ready");
      items.push({ object: owner, status: "warn", message: ready?.message ? `no node status yet: ${ready.message}` : "no node status yet (the controller has not checked it)" });
      continue;
    }
    for (const n of u.nodes) {
      const object = `${owner} node ${n.name}${n.address !== undefined && n.address !== n.name ? ` (${n.address})` : ""}`;
      if (!n.reachable) items.push({ object, status: "fail", message: `unreachable from the controller${n.message ? `: ${n.message}` : ""}` });
      else if (n.initialized === false) items.push({ object, status: "fail", message: "not initialized" });
      else if (n.sealed === true) items.push({ object, status: "fail", message: `sealed${n.sealedSince !== undefined ? ` since ${n.sealedSince}` : ""}${n.message ? `: ${n.message}` : ""}` });
      else items.push({ object, status: "ok", message: "unsealed" });
    }
  }
  const status = worstStatus(items.map((i) => i.status));
  const first = worstFirst(items)[0];
  if (first === undefined || status === "ok") return { name, status, message: `${items.length} Vault node(s) unsealed`, items };
  const count = items.filter((i) => i.status !== "ok").length;
  const fix = /sealed/.test(first.message)
    ? "unseal it: sealbridge vault unseal (the VaultUnsealer does it by itself when it holds enough shares; kubectl describe vaultunsealer says why it did not)"
    : /not initialized/.test(first.message)
      ? "initialise Vault: sealbridge vault init"
      : "check the node runs and the controller can reach it (spec.nodes, NetworkPolicy)";
  return { name, status, message: `${count} of ${items.length} Vault node(s) not unsealed; ${first.object}: ${first.message}`, fix, items: worstFirst(items) };
}
