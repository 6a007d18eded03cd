/**
 * The doctor chain: the links in order, what each needs, and the runner that judges them. A link
 * whose prerequisite failed (or was itself skipped for that reason) is not judged: it is
 * "skipped: needs …", so the first failure printed is the one to fix first (cert-manager's
 * check chains, `cmctl check api`).
 */
import type { CheckResult, DoctorReport } from "./check-result.js";
import type { Observed } from "./observed.js";
import { apiServerCheck, kubeconfigCheck } from "./checks/cluster.js";
import { crdsCheck } from "./checks/crds.js";
import { controllerLeaseCheck, controllerPodsCheck, controllerReadyCheck, controllerServiceCheck } from "./checks/controller.js";
import { ageRecipientCheck, sealingCertCheck } from "./checks/controller-endpoints.js";
import { secretStoresCheck } from "./checks/secret-stores.js";
import { dnsCredentialsCheck } from "./checks/dns-credentials.js";
import { certificatesCheck } from "./checks/certificates.js";
import { vaultNodesCheck } from "./checks/vault-nodes.js";

/** One link: a pure check and the links it needs. */
export interface ChainLink {
  name: string;
  /** How a dependent link names it: "skipped: needs <title>". */
  title: string;
  needs: readonly string[];
  check(observed: Observed): CheckResult;
}

/**
 * The links in the order doctor walks them. Links that read the status the controller writes
 * need a leading controller: without one that status may be old.
 */
export const DOCTOR_CHAIN: readonly ChainLink[] = [
  { name: "kubeconfig", title: "a kubeconfig", needs: [], check: kubeconfigCheck },
  { name: "api-server", title: "the API server", needs: ["kubeconfig"], check: apiServerCheck },
  { name: "crds", title: "the CRDs", needs: ["api-server"], check: crdsCheck },
  { name: "controller-pods", title: "the controller's Pods", needs: ["api-server"], check: controllerPodsCheck },
  { name: "controller-lease", title: "a leading controller", needs: ["api-server"], check: controllerLeaseCheck },
  { name: "controller-service", title: "the controller's Service", needs: ["api-server"], check: controllerServiceCheck },
  { name: "controller-ready", title: "a ready controller", needs: ["controller-service"], check: controllerReadyCheck },
  { name: "sealing-cert", title: "the sealing certificate", needs: ["controller-service"], check: sealingCertCheck },
  { name: "age-recipient", title: "the age recipient", needs: ["controller-service"], check: ageRecipientCheck },
  { name: "secret-stores", title: "the SecretStores", needs: ["controller-lease"], check: secretStoresCheck },
  { name: "dns-credentials", title: "the DNS credentials", needs: ["controller-lease"], check: dnsCredentialsCheck },
  { name: "certificates", title: "the certificates", needs: ["api-server"], check: certificatesCheck },
  { name: "vault-nodes", title: "the Vault nodes", needs: ["controller-lease"], check: vaultNodesCheck },
];

/**
 * Judges every link of `chain` in order over one observation. Never throws: a check that throws
 * (a bug) is a failure of that link naming the bug, not of the run.
 */
export function runChain(observed: Observed, chain: readonly ChainLink[] = DOCTOR_CHAIN): DoctorReport {
  const blocked = new Set<string>();
  const titles = new Map(chain.map((l) => [l.name, l.title]));
  const checks: CheckResult[] = [];
  for (const link of chain) {
    const missing = link.needs.find((n) => blocked.has(n));
    let result: CheckResult;
    if (missing !== undefined) {
      result = { name: link.name, status: "skip", message: `skipped: needs ${titles.get(missing) ?? missing}` };
      blocked.add(link.name);
    } else {
      try {
        result = { ...link.check(observed), name: link.name };
      } catch (err) {
        result = { name: link.name, status: "fail", message: `doctor could not judge this link (${err instanceof Error ? err.name : "error"}); please report it`, fix: "report it with the output of sealbridge doctor -o json" };
      }
      if (result.status === "fail") blocked.add(link.name);
    }
    checks.push(result);
  }
  const firstFailure = checks.find((c) => c.status === "fail")?.name ?? null;
  return { apiVersion: "sealbridge.io/doctor/v1", ok: firstFailure === null, firstFailure, checkedAt: observed.now.toISOString(), checks };
}
