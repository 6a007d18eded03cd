/**
 * What `sealbridge doctor` saw of the cluster, as plain data: the observer (observe.ts) fills it
 * in, link by link, and the checks (checks/*.ts) judge it without any IO. A field left undefined
 * was not observed because an earlier link it depends on broke. Nothing here holds a secret value:
 * certificates are public (`tls.crt` only), statuses are what the controller wrote.
 */
import type { CertificateInput } from "../certs/certificate-report.js";

/** The result of one read: the value, or why it could not be had (`status` 404: not served / not found, 403: forbidden, none: no answer). */
export type Read<T> = { ok: true; value: T } | { ok: false; status?: number; message: string };

/** A `metav1.Condition` as read. */
export interface ObservedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** An answer of the controller's HTTP API through the service proxy, or why there was none. */
export type ProxyAnswer = { answered: true; status: number; body: string } | { answered: false; status?: number; message: string };

/** A CustomResourceDefinition as installed. */
export interface ObservedCrd {
  /** `plural.group`. */
  name: string;
  established: boolean;
  versions: Array<{ name: string; served: boolean; storage: boolean }>;
}

/** The controller's Deployment (by label app.kubernetes.io/name=sealbridge in its namespace). */
export interface ObservedDeployment {
  name: string;
  replicas: number;
  readyReplicas: number;
  /** The first container's command and args: which kinds it runs (`--reconcilers`, `--vault-unsealer`). */
  args: string[];
}

/** One controller Pod. */
export interface ObservedPod {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** A container's waiting reason (CrashLoopBackOff, ImagePullBackOff …), if any. */
  waitingReason?: string;
}

/** The leader-election Lease. */
export interface ObservedLease {
  holder: string;
  renewTime?: string;
  durationSeconds?: number;
}

/** The Service in front of the controller's HTTP API. */
export interface ObservedService {
  portNames: string[];
}

/** An object whose status the controller writes (SecretStore, ClusterSecretStore, DnsCredential, VaultUnsealer, CertificateCheck). */
export interface ObservedStatusObject {
  kind: string;
  namespace?: string;
  name: string;
  generation?: number;
  observedGeneration?: number;
  conditions: ObservedCondition[];
}

/** A SecretStore or ClusterSecretStore. */
export interface ObservedStore extends ObservedStatusObject {
  /** spec.provider.vault.server, when set. */
  server?: string;
}

/** An ExternalSecret: which store it reads through, and its Ready condition (a sync is where a token-auth store's Vault is first used). */
export interface ObservedExternalSecret extends ObservedStatusObject {
  storeKind: "SecretStore" | "ClusterSecretStore";
  storeName: string;
}

/** One node in a VaultUnsealer's status. */
export interface ObservedUnsealerNode {
  name: string;
  address?: string;
  reachable: boolean;
  initialized?: boolean;
  sealed?: boolean;
  sealedSince?: string;
  message?: string;
}

/** A VaultUnsealer. */
export interface ObservedUnsealer extends ObservedStatusObject {
  nodes: ObservedUnsealerNode[];
}

/** A CertificateCheck with the certificates its status lists. */
export interface ObservedCertificateCheck extends ObservedStatusObject {
  certificates: Array<{ source: string; state: string; message: string }>;
}

/** What `GET <server>/v1/sys/health` said when doctor asked from where it runs. */
export type VaultHealth =
  | { reached: true; initialized: boolean; sealed: boolean; standby: boolean }
  | { reached: false; message: string };

/** Which controller doctor looks for. */
export interface DoctorTarget {
  namespace: string;
  serviceName: string;
  leaseName: string;
}

/** Everything observed in one run. */
export interface Observed {
  now: Date;
  target: DoctorTarget;
  kubeconfig: { ok: true; context: string; server: string } | { ok: false; message: string };
  /** An authenticated read (the controller's Namespace): reachable and authenticated or not. */
  api?: { ok: true; namespaceExists: boolean | null } | { ok: false; status?: number; message: string };
  crds?: Read<ObservedCrd[]>;
  deployments?: Read<ObservedDeployment[]>;
  pods?: Read<ObservedPod[]>;
  lease?: Read<ObservedLease | null>;
  service?: Read<ObservedService | null>;
  readyz?: ProxyAnswer;
  cert?: ProxyAnswer;
  ageRecipient?: ProxyAnswer;
  /** SecretStores and ClusterSecretStores together (404 when neither CRD is installed). */
  stores?: Read<ObservedStore[]>;
  /** ExternalSecrets (their failed syncs count against their store's Vault). */
  externalSecrets?: Read<ObservedExternalSecret[]>;
  /** Keyed by the store's `server`; absent when not probed (`--no-vault-probe`). */
  vaultHealth?: Record<string, VaultHealth>;
  dnsCredentials?: Read<ObservedStatusObject[]>;
  certificateChecks?: Read<ObservedCertificateCheck[]>;
  /** kubernetes.io/tls Secrets' `tls.crt` (sealing key Secrets left out). */
  tlsSecrets?: Read<CertificateInput[]>;
  unsealers?: Read<ObservedUnsealer[]>;
}
