/**
 * The CustomResourceDefinitions doctor expects, as `crds/` defines them (a test keeps the two
 * equal): the version sealbridge reads, whether it must be the storage version, and which
 * controller kind needs it. Compatibility CRDs (sealed-secrets', ESO's) may come from their own
 * projects at other versions: only the version sealbridge reads has to be served.
 */

/** One expected CRD. */
export interface ExpectedCrd {
  /** `plural.group`, the CRD's metadata.name. */
  name: string;
  /** The versions `crds/` serves. */
  served: readonly string[];
  /** The version `crds/` stores. */
  storage: string;
  /** The version sealbridge reads and writes (must be served). */
  reads: string;
  /** sealbridge's own CRD (missing = broken when its kind runs) or a compatibility CRD (only checked when present). */
  owner: "sealbridge" | "compat";
  /** The reconciler (`--reconcilers` name) that watches it. */
  reconciler: string;
  /** True for kinds the controller runs only when asked (`--vault-unsealer`). */
  optIn?: boolean;
}

/** Every CRD of `crds/`, sealbridge's first. */
export const EXPECTED_CRDS: readonly ExpectedCrd[] = [
  { name: "agesecrets.sealbridge.io", served: ["v1alpha1"], storage: "v1alpha1", reads: "v1alpha1", owner: "sealbridge", reconciler: "agesecret" },
  { name: "certificatechecks.sealbridge.io", served: ["v1alpha1"], storage: "v1alpha1", reads: "v1alpha1", owner: "sealbridge", reconciler: "certificatecheck" },
  { name: "acmecertificates.sealbridge.io", served: ["v1alpha1"], storage: "v1alpha1", reads: "v1alpha1", owner: "sealbridge", reconciler: "acmecertificate" },
  { name: "dnscredentials.sealbridge.io", served: ["v1alpha1"], storage: "v1alpha1", reads: "v1alpha1", owner: "sealbridge", reconciler: "dnscredential" },
  { name: "vaultunsealers.sealbridge.io", served: ["v1alpha1"], storage: "v1alpha1", reads: "v1alpha1", owner: "sealbridge", reconciler: "vaultunsealer", optIn: true },
  { name: "sealedsecrets.bitnami.com", served: ["v1alpha1"], storage: "v1alpha1", reads: "v1alpha1", owner: "compat", reconciler: "sealedsecret" },
  { name: "externalsecrets.external-secrets.io", served: ["v1", "v1beta1"], storage: "v1", reads: "v1", owner: "compat", reconciler: "externalsecret" },
  { name: "secretstores.external-secrets.io", served: ["v1", "v1beta1"], storage: "v1", reads: "v1", owner: "compat", reconciler: "secretstore" },
  { name: "clustersecretstores.external-secrets.io", served: ["v1", "v1beta1"], storage: "v1", reads: "v1", owner: "compat", reconciler: "clustersecretstore" },
];
