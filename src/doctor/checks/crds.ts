/**
 * The CRDs link: sealbridge's CRDs installed, established and serving the versions `crds/`
 * defines; compatibility CRDs (sealed-secrets, ESO) only checked when present.
 */
import { worstFirst, worstStatus, type CheckItem, type CheckResult } from "../check-result.js";
import { EXPECTED_CRDS, type ExpectedCrd } from "../expected-crds.js";
import type { ObservedCrd, ObservedDeployment, Observed } from "../observed.js";

/**
 * The reconcilers a controller Deployment runs, from its container args (`--reconcilers a,b`,
 * repeatable; `--vault-unsealer`), or null when there is no Deployment to tell. Pure.
 */
function enabledReconcilers(deployments: readonly ObservedDeployment[] | undefined): Set<string> | null {
  const args = deployments?.[0]?.args;
  if (args === undefined) return null;
  const named: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--reconcilers") named.push(...(args[i + 1] ?? "").split(","));
    else if (arg.startsWith("--reconcilers=")) named.push(...arg.slice("--reconcilers=".length).split(","));
  }
  const all = named.length === 0 ? EXPECTED_CRDS.filter((c) => !c.optIn).map((c) => c.reconciler) : named.map((n) => n.trim()).filter((n) => n !== "");
  const kinds = new Set(all);
  if (args.includes("--vault-unsealer")) kinds.add("vaultunsealer");
  else kinds.delete("vaultunsealer");
  return kinds;
}

function judge(expected: ExpectedCrd, found: ObservedCrd | undefined, enabled: Set<string> | null): CheckItem {
  const object = `CRD ${expected.name}`;
  if (found === undefined) {
    if (expected.owner === "compat") return { object, status: "ok", message: "not installed (not used)" };
    const runs = enabled === null ? !expected.optIn : enabled.has(expected.reconciler);
    if (!runs) return { object, status: "ok", message: `not installed (the controller does not run ${expected.reconciler})` };
    return { object, status: "fail", message: "not installed" };
  }
  if (!found.established) return { object, status: "fail", message: "not Established (the API server does not serve it yet)" };
  const served = found.versions.filter((v) => v.served).map((v) => v.name);
  const wanted = expected.owner === "sealbridge" ? expected.served : [expected.reads];
  const missing = wanted.filter((v) => !served.includes(v));
  if (missing.length > 0) return { object, status: "fail", message: `does not serve ${missing.join(", ")} (serves ${served.join(", ") || "nothing"})` };
  const storage = found.versions.find((v) => v.storage)?.name;
  if (expected.owner === "sealbridge" && storage !== expected.storage) {
    return { object, status: "warn", message: `stores ${storage ?? "no version"}, crds/ stores ${expected.storage}` };
  }
  return { object, status: "ok", message: `serves ${served.join(", ")}` };
}

/** Judges the installed CRDs against {@link EXPECTED_CRDS}. Pure. */
export function crdsCheck(o: Observed): CheckResult {
  const name = "crds";
  const crds = o.crds;
  if (crds === undefined) return { name, status: "skip", message: "not observed" };
  if (!crds.ok) {
    if (crds.status === 403) {
      return { name, status: "warn", message: "cannot list CustomResourceDefinitions (forbidden to you); not checked", fix: "run doctor with a user that may read customresourcedefinitions (e.g. cluster view rights)" };
    }
    return { name, status: "fail", message: crds.message, fix: "retry; check the API server's health" };
  }
  const enabled = o.deployments?.ok ? enabledReconcilers(o.deployments.value) : null;
  const items = EXPECTED_CRDS.map((e) => judge(e, crds.value.find((c) => c.name === e.name), enabled));
  const status = worstStatus(items.map((i) => i.status));
  const bad = items.filter((i) => i.status === "fail" || i.status === "warn");
  if (bad.length === 0) {
    const installed = EXPECTED_CRDS.filter((e) => crds.value.some((c) => c.name === e.name)).length;
    return { name, status, message: `${installed} of ${EXPECTED_CRDS.length} known CRDs installed, each serving the expected versions`, items };
  }
  // One phrase per problem: "CRDs a, b not installed; CRD c not Established …".
  const groups = new Map<string, string[]>();
  for (const i of bad) groups.set(i.message, [...(groups.get(i.message) ?? []), i.object.replace(/^CRD /, "")]);
  const message = [...groups].map(([what, names]) => `CRD${names.length > 1 ? "s" : ""} ${names.join(", ")} ${what}`).join("; ");
  const fix = "apply the CRDs of this release: sealbridge install (or kubectl apply --server-side -f crds/), then kubectl wait --for=condition=Established crd --all";
  return { name, status, message, fix, items: worstFirst(items) };
}
