/**
 * What each RBAC feature (src/install/rbac.ts) runs and needs installed: the controller's
 * reconcilers (`--reconcilers` names of src/controller/reconcilers.ts), the sealbridge.io CRDs it
 * owns, and the CRDs of the projects it is compatible with (bitnami.com, external-secrets.io),
 * shipped only with `--with-compat-crds` because sealed-secrets or ESO may own them.
 */

/** One feature's kinds. */
export interface FeatureKinds {
  /** `--reconcilers` names, in the controller's registration order. */
  reconcilers: readonly string[];
  /** CRD file names (crds/<name>.yaml) of sealbridge.io kinds. */
  crds: readonly string[];
  /** CRD file names of compatible projects' kinds (`--with-compat-crds`). */
  compatCrds: readonly string[];
  /** Extra controller flags the feature needs (opt-in reconcilers). */
  flags: readonly string[];
}

const NONE: FeatureKinds = { reconcilers: [], crds: [], compatCrds: [], flags: [] };

/** By RBAC feature name. `core` runs no reconciler of its own (events, leader election). */
export const FEATURE_KINDS: Readonly<Record<string, FeatureKinds>> = {
  core: NONE,
  sealing: { reconcilers: ["sealedsecret"], crds: [], compatCrds: ["sealedsecrets.bitnami.com"], flags: [] },
  age: { reconcilers: ["agesecret"], crds: ["agesecrets.sealbridge.io"], compatCrds: [], flags: [] },
  "vault-sync": {
    reconcilers: ["externalsecret", "secretstore", "clustersecretstore"],
    crds: [],
    compatCrds: ["externalsecrets.external-secrets.io", "secretstores.external-secrets.io", "clustersecretstores.external-secrets.io"],
    flags: [],
  },
  certs: { reconcilers: ["certificatecheck"], crds: ["certificatechecks.sealbridge.io"], compatCrds: [], flags: [] },
  acme: { reconcilers: ["acmecertificate", "dnscredential"], crds: ["acmecertificates.sealbridge.io", "dnscredentials.sealbridge.io"], compatCrds: [], flags: [] },
  unseal: { reconcilers: ["vaultunsealer"], crds: ["vaultunsealers.sealbridge.io"], compatCrds: [], flags: ["--vault-unsealer"] },
};

/** The kinds of a feature (none for a name this table does not know). */
export function featureKinds(name: string): FeatureKinds {
  return FEATURE_KINDS[name] ?? NONE;
}
