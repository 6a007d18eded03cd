/**
 * The controller's permissions: the one source, grouped by feature so an install can select
 * features (`sealbridge install --export --features …`) and later features add their own group.
 * Least privilege, no wildcards; every rule says which code needs it. Cluster-wide rules go to the
 * ClusterRole; what the controller keeps in its own namespace (its Lease, its key Secrets, the key
 * backup ConfigMap) goes to a Role there.
 *
 * Derived from what the code does (src/controller/**, src/eso/**, src/server/**): informers list
 * and watch; status goes through `PATCH …/status`; child Secrets are written by
 * src/controller/runtime/child-writes.ts — created, updated (PUT, SealedSecret/AgeSecret),
 * merge-patched (ESO Merge policy), deleted and re-created; owner references carry `blockOwnerDeletion: true`, which the
 * OwnerReferencesPermissionEnforcement admission plugin allows only with `update` on the owner's
 * `finalizers` subresource.
 */

/** One RBAC policy rule (rbac.authorization.k8s.io/v1 PolicyRule) and why the controller needs it. */
export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** Which code needs it (a comment in deploy/rbac.yaml). */
  why: string;
}

/** The rules of one feature. */
export interface RbacFeature {
  /** Short name used by `--features`. */
  name: string;
  description: string;
  /** Rules for the ClusterRole (objects in any namespace, cluster-scoped kinds). */
  cluster: RbacRule[];
  /** Rules for the Role in the controller's own namespace. */
  namespaced: RbacRule[];
}

const RELOAD: RbacRule = {
  apiGroups: ["apps"],
  resources: ["deployments", "statefulsets", "daemonsets"],
  verbs: ["list", "patch"],
  why: "restart consumers: list workloads in the Secret's namespace, patch the pod template annotation (src/controller/reload.ts)",
};

/** Every feature, in rendering order. `core` is always included. */
export const RBAC_FEATURES: readonly RbacFeature[] = [
  {
    name: "core",
    description: "the runtime: Events for conditions, leader election",
    cluster: [
      { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"], why: "Events beside conditions, repeated ones counted by patch (src/controller/runtime/events.ts)" },
    ],
    namespaced: [
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"], why: "leader election Lease (src/controller/runtime/leader-election.ts)" },
    ],
  },
  {
    name: "sealing",
    description: "SealedSecrets (bitnami.com) unsealed into Secrets, sealing keys, the kubeseal certificate endpoint",
    cluster: [
      { apiGroups: ["bitnami.com"], resources: ["sealedsecrets"], verbs: ["list", "watch"], why: "SealedSecret informer" },
      { apiGroups: ["bitnami.com"], resources: ["sealedsecrets/status"], verbs: ["patch"], why: "SealedSecret status (src/controller/runtime/status-write.ts)" },
      { apiGroups: ["bitnami.com"], resources: ["sealedsecrets/finalizers"], verbs: ["update"], why: "owner references with blockOwnerDeletion on the Secrets it makes (OwnerReferencesPermissionEnforcement)" },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "update", "delete"], why: "target Secrets: watched, read, created, replaced, re-created on a type change (src/controller/encrypted-secret/secret-plan.ts, src/controller/runtime/child-writes.ts)" },
      RELOAD,
    ],
    namespaced: [
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create"], why: "sealing key Secrets (src/controller/keys/key-store.ts, key-watch.ts, key-custody.ts)" },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "create", "update"], why: "the encrypted key backup ConfigMap (src/controller/keys/key-custody.ts)" },
    ],
  },
  {
    name: "age",
    description: "AgeSecrets (sealbridge.io) decrypted into Secrets, age identities",
    cluster: [
      { apiGroups: ["sealbridge.io"], resources: ["agesecrets"], verbs: ["list", "watch"], why: "AgeSecret informer" },
      { apiGroups: ["sealbridge.io"], resources: ["agesecrets/status"], verbs: ["patch"], why: "AgeSecret status (src/controller/runtime/status-write.ts)" },
      { apiGroups: ["sealbridge.io"], resources: ["agesecrets/finalizers"], verbs: ["update"], why: "owner references with blockOwnerDeletion on the Secrets it makes (OwnerReferencesPermissionEnforcement)" },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "update", "delete"], why: "target Secrets: watched, read, created, replaced, re-created on a type change (src/controller/encrypted-secret/secret-plan.ts, src/controller/runtime/child-writes.ts)" },
      RELOAD,
    ],
    namespaced: [
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create"], why: "age identity Secrets (src/controller/keys/age-identity.ts, key-watch.ts)" },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "create", "update"], why: "the encrypted key backup ConfigMap (src/controller/keys/key-custody.ts)" },
    ],
  },
  {
    name: "vault-sync",
    description: "ExternalSecrets, SecretStores and ClusterSecretStores (external-secrets.io) synced from Vault/OpenBao",
    cluster: [
      { apiGroups: ["external-secrets.io"], resources: ["externalsecrets", "secretstores", "clustersecretstores"], verbs: ["list", "watch"], why: "ESO kind informers" },
      { apiGroups: ["external-secrets.io"], resources: ["externalsecrets/status", "secretstores/status", "clustersecretstores/status"], verbs: ["patch"], why: "ESO status (src/controller/runtime/status-write.ts, kind-reconciler.ts)" },
      { apiGroups: ["external-secrets.io"], resources: ["externalsecrets/finalizers"], verbs: ["update"], why: "owner references with blockOwnerDeletion on target Secrets (src/controller/external-secret/target-secret.ts; OwnerReferencesPermissionEnforcement)" },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "patch", "delete"], why: "target Secrets (created, merge-patched, deleted and re-created; src/controller/external-secret/target-secret.ts) and auth Secrets (tokenSecretRef, appRole, kubernetes secretRef; src/eso/store-connections.ts)" },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], why: "caProvider of type ConfigMap (src/eso/store-connections.ts)" },
      { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], why: "TokenRequest for kubernetes auth with serviceAccountRef (src/eso/store-connections.ts)" },
      RELOAD,
    ],
    namespaced: [],
  },
  {
    name: "certs",
    description: "certificate checks: every TLS Secret, CertificateChecks (sealbridge.io), cert-manager Certificates (read only)",
    cluster: [
      { apiGroups: ["sealbridge.io"], resources: ["certificatechecks"], verbs: ["list", "watch"], why: "CertificateCheck informer" },
      { apiGroups: ["sealbridge.io"], resources: ["certificatechecks/status"], verbs: ["patch"], why: "CertificateCheck status (src/controller/runtime/status-write.ts)" },
      { apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["list", "watch"], why: "TLS Secrets (field selector type=kubernetes.io/tls) and the Secrets and ConfigMap bundles CertificateChecks name (src/controller/certificate-check/)" },
      { apiGroups: ["cert-manager.io"], resources: ["certificates"], verbs: ["list", "watch"], why: "cert-manager Certificates, read only, where its CRDs exist (src/controller/certificate-check/tls-secret-scanner.ts)" },
      RELOAD,
    ],
    namespaced: [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "create", "update"], why: "the TLS Secret scan's alert state ConfigMap sealbridge-alert-state, so a restart does not re-fire (src/controller/certificate-check/scan-alert-state.ts)" },
    ],
  },
  {
    name: "acme",
    description: "AcmeCertificates and DnsCredentials (sealbridge.io): ACME DNS-01 issuance into TLS Secrets, DNS credentials proven before they are projected",
    cluster: [
      { apiGroups: ["sealbridge.io"], resources: ["acmecertificates", "dnscredentials"], verbs: ["list", "watch"], why: "AcmeCertificate and DnsCredential informers" },
      { apiGroups: ["sealbridge.io"], resources: ["acmecertificates/status", "dnscredentials/status"], verbs: ["patch"], why: "their status (src/controller/runtime/status-write.ts)" },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "update", "delete"], why: "TLS, account key and next-key Secrets, solver credentials (src/controller/acme-certificate/), credential sources and targets (src/controller/dns-credential/)" },
      { apiGroups: ["external-secrets.io"], resources: ["secretstores", "clustersecretstores"], verbs: ["list", "watch"], why: "the stores a DnsCredential's Vault source names, watched where the ESO CRDs exist (src/controller/dns-credential/index.ts)" },
      RELOAD,
    ],
    namespaced: [],
  },
  {
    name: "unseal",
    description: "VaultUnsealers (sealbridge.io, opt-in with --vault-unsealer): Vault nodes unsealed with the shares the controller's age identity opens",
    cluster: [
      { apiGroups: ["sealbridge.io"], resources: ["vaultunsealers"], verbs: ["list", "watch"], why: "VaultUnsealer informer" },
      { apiGroups: ["sealbridge.io"], resources: ["vaultunsealers/status"], verbs: ["patch"], why: "VaultUnsealer status (src/controller/runtime/status-write.ts)" },
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"], why: "Vault pods by selector (src/controller/vault-unsealer/observe.ts)" },
      { apiGroups: [""], resources: ["pods/proxy"], verbs: ["get", "update"], why: "seal status (GET) and unseal (PUT) through the API server's pod proxy (src/vault/pod-endpoints.ts)" },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get"], why: "age-encrypted shares kept in a Secret (src/controller/vault-unsealer/observe.ts)" },
    ],
    namespaced: [],
  },
];

/** The feature names, `core` first. */
export const RBAC_FEATURE_NAMES: readonly string[] = RBAC_FEATURES.map((f) => f.name);

/** Rules merged: one rule per (apiGroup, resource) set with the union of verbs, in a stable order. */
export interface MergedRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  why: string[];
}

const VERB_ORDER = ["get", "list", "watch", "create", "update", "patch", "delete"];

/** Merges rules: verbs united per (group, resource), then resources with equal verbs grouped back. */
export function mergeRules(rules: readonly RbacRule[]): MergedRule[] {
  const byResource = new Map<string, { group: string; resource: string; verbs: Set<string>; why: Set<string> }>();
  for (const r of rules) {
    for (const group of r.apiGroups) {
      for (const resource of r.resources) {
        const key = `${group}\u0000${resource}`;
        const entry = byResource.get(key) ?? { group, resource, verbs: new Set<string>(), why: new Set<string>() };
        for (const v of r.verbs) entry.verbs.add(v);
        entry.why.add(r.why);
        byResource.set(key, entry);
      }
    }
  }
  const grouped = new Map<string, MergedRule>();
  for (const e of byResource.values()) {
    const verbs = [...e.verbs].sort((a, b) => VERB_ORDER.indexOf(a) - VERB_ORDER.indexOf(b));
    const key = `${e.group}\u0000${verbs.join(",")}\u0000${[...e.why].join("|")}`;
    const rule = grouped.get(key) ?? { apiGroups: [e.group], resources: [], verbs, why: [...e.why] };
    rule.resources.push(e.resource);
    grouped.set(key, rule);
  }
  return [...grouped.values()].sort((a, b) => `${a.apiGroups[0] ?? ""}/${a.resources[0] ?? ""}`.localeCompare(`${b.apiGroups[0] ?? ""}/${b.resources[0] ?? ""}`));
}

/**
 * The features for a selection (`core` always added), in rendering order.
 * @throws Error naming an unknown feature and listing the known ones.
 */
export function selectFeatures(names?: readonly string[]): RbacFeature[] {
  if (names === undefined) return [...RBAC_FEATURES];
  for (const n of names) {
    if (!RBAC_FEATURE_NAMES.includes(n)) throw new Error(`unknown feature "${n}": --features (use one or more of ${RBAC_FEATURE_NAMES.join(", ")})`);
  }
  return RBAC_FEATURES.filter((f) => f.name === "core" || names.includes(f.name));
}
