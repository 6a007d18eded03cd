/**
 * The in-process Kubernetes API test server: `startKubeServer()` serves the Kubernetes REST API
 * over HTTPS on 127.0.0.1 for real clients (kubectl, @kubernetes/client-node), with test
 * controls for faults, counters, state and restarts.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { stringify as toYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import { DEFAULT_ISSUER, TokenAuthority } from "./auth.js";
import { bootstrapPolicy } from "./bootstrap-policy.js";
import { customResourceHooks } from "./crd.js";
import { Counters, Faults, type FailAmount, type RequestRecord } from "./faults.js";
import { GarbageCollector } from "./gc.js";
import { ProxyBackends } from "./proxy.js";
import type { RbacSource } from "./rbac.js";
import { TypeRegistry } from "./registry.js";
import type { KubeContext } from "./http-io.js";
import { Semantics } from "./semantics.js";
import { serviceAccountTokenDefaults } from "./service-account-token.js";
import { KubeHttpServer } from "./server.js";
import { ObjectStore } from "./store.js";
import { serverTls } from "./tls.js";

/** Options of startKubeServer. */
export interface KubeServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * Reported by /version (default v1.32.4 from discovery.ts). kubectl here is a dispatcher that
   * runs the kubectl matching the server's minor version, so only change it on purpose.
   */
  gitVersion?: string;
  /** Events kept per resource for watch resumption (default 1000); older resourceVersions get 410 Gone. */
  watchWindow?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Clock for timestamps and token expiry (default Date.now). */
  now?: () => number;
  /** Randomness for generateName and failure rates (default Math.random). */
  random?: () => number;
  /**
   * The OwnerReferencesPermissionEnforcement admission plugin (default on, as the real tier runs
   * kube-apiserver): setting `blockOwnerDeletion` needs `update` on the owner's `finalizers`,
   * changing ownerReferences on an update needs `delete` on the object.
   */
  ownerReferencesPermissionEnforcement?: boolean;
}

/** Fault switches of a running server. */
export interface KubeFaults {
  /** Adds latency to requests whose path+query matches. */
  latencyMs(pathRegex: RegExp | string, ms: number): void;
  /** Fails matching requests with `status`: a rate (<1), a count (integer >= 1), or `{ rate | count, method }`. */
  failRate(pathRegex: RegExp | string, status: number, amount: FailAmount): void;
  /**
   * Ends every open watch stream now (clean end of the chunked response), including watch
   * requests already received but not streaming yet (body, injected latency).
   */
  dropWatches(): void;
  /** Open and new watch streams are cut (connection destroyed) after n more events; 0 cuts at once. */
  cutWatchesAfter(n: number): void;
  /** Forgets all retained watch history: resuming from any older resourceVersion gets 410 Gone. */
  expireResourceVersions(): void;
  /** Removes every latency/failure rule and the cut setting. */
  clear(): void;
}

/** Request counters of a running server. */
export interface KubeCounters {
  /** Requests served, optionally of one method and/or with path+query matching. */
  requests(method?: string, pathRegex?: RegExp | string): number;
  /** Mutating requests that changed the store (no-op updates and dry runs do not count). */
  writes(): number;
  /** Every served request so far. */
  log(): readonly RequestRecord[];
  reset(): void;
}

/** A running test server. */
export interface KubeTestServer {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  /** PEM of the CA that signed the serving certificate. */
  caPem: string;
  /** Bearer token with full access (user kubernetes-admin, group system:masters). */
  adminToken: string;
  /** Issuer (and default audience) of ServiceAccount tokens. */
  issuer: string;
  /** kubeconfig YAML: cluster with certificate-authority-data, admin token user, context, namespace default. */
  kubeconfig(opts?: { token?: string; namespace?: string }): string;
  writeKubeconfig(path: string, opts?: { token?: string; namespace?: string }): Promise<void>;
  /** Signs a ServiceAccount token as TokenRequest would (the ServiceAccount should exist to be accepted). */
  issueServiceAccountToken(namespace: string, name: string, opts?: { audiences?: string[]; expirationSeconds?: number }): string;
  /** Where `services/<name>/proxy/...` in `namespace` forwards to (null removes). */
  setServiceBackend(namespace: string, service: string, baseUrl: string | null): void;
  /** Where `pods/<name>/proxy/...` forwards to (null removes). */
  setPodBackend(namespace: string, pod: string, baseUrl: string | null): void;
  faults: KubeFaults;
  counters: KubeCounters;
  /** Snapshot (deep copy) of stored objects of a resource (`secrets`, `deployments.apps`, `widgets.example.test`). */
  objects(resource: string, namespace?: string): KubeObject[];
  /** The newest resourceVersion. */
  resourceVersion(): string;
  /** Open watch streams. */
  watchCount(): number;
  /** Resolves once background garbage collection has nothing left to do. */
  gcIdle(): Promise<void>;
  /**
   * Clears all objects and CRDs, then re-creates the built-in namespaces, default ServiceAccounts
   * and bootstrap ClusterRoles/bindings (cluster-admin, admin, edit, view, system:auth-delegator,
   * system:basic-user).
   */
  reset(): void;
  /** Closes every connection (watches included) and listens again on the same port, state kept. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function seed(semantics: Semantics, registry: TypeRegistry): void {
  const ns = registry.find("", "v1", "namespaces");
  const cr = registry.find("rbac.authorization.k8s.io", "v1", "clusterroles");
  const crb = registry.find("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
  if (!ns || !cr || !crb) return;
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    semantics.create(ns, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  }
  const policy = bootstrapPolicy();
  for (const r of policy.clusterRoles) semantics.create(cr, undefined, r);
  for (const b of policy.clusterRoleBindings) semantics.create(crb, undefined, b);
}

/** Resolves `secrets` / `deployments.apps` / `widgets.example.test` to a storage key. */
function storageKeyOf(semantics: Semantics, resource: string): string {
  const dot = resource.indexOf(".");
  const plural = dot < 0 ? resource : resource.slice(0, dot);
  const group = dot < 0 ? "" : resource.slice(dot + 1);
  return semantics.storageKey({ group, plural });
}

/**
 * Starts a Kubernetes API test server on 127.0.0.1 over HTTPS.
 * @throws Error when the port cannot be bound.
 */
export async function startKubeServer(opts: KubeServerOptions = {}): Promise<KubeTestServer> {
  const tls = await serverTls();
  const nowMs = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const now = (): Date => new Date(nowMs());
  const store = new ObjectStore(opts.watchWindow ?? 1000);
  const registry = new TypeRegistry();
  const gc = new GarbageCollector(registry, store);
  const adminToken = randomBytes(24).toString("hex");
  const saUid = (ns: string, name: string): string | undefined => store.get("/serviceaccounts", `${ns}/${name}`)?.metadata.uid;
  const secretToken = (ns: string, name: string): string | undefined =>
    (store.get("/secrets", `${ns}/${name}`)?.["data"] as Record<string, string> | undefined)?.["token"];
  const tokens = new TokenAuthority(tls.tokenKeyPem, DEFAULT_ISSUER, adminToken, nowMs, saUid, secretToken);
  const semantics = new Semantics(
    store, registry, now, random, customResourceHooks(registry, store, now), gc, serviceAccountTokenDefaults(tokens, tls.caPem, saUid),
  );
  gc.attach(semantics);
  const faults = new Faults(random);
  const counters = new Counters();
  const backends = new ProxyBackends();
  const rbac: RbacSource = {
    clusterRoles: () => store.list("rbac.authorization.k8s.io/clusterroles"),
    clusterRoleBindings: () => store.list("rbac.authorization.k8s.io/clusterrolebindings"),
    roles: (ns) => store.list("rbac.authorization.k8s.io/roles", ns),
    roleBindings: (ns) => store.list("rbac.authorization.k8s.io/rolebindings", ns),
  };
  const ctx: KubeContext = { store, registry, semantics, faults, tokens, backends, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000, now, rbac,
    admission: { ownerReferencesPermissionEnforcement: opts.ownerReferencesPermissionEnforcement ?? true },
  };
  seed(semantics, registry);
  const http = new KubeHttpServer(ctx, tls, counters, rbac, opts.port ?? 0, opts.gitVersion);
  const port = await http.listen();
  const url = `https://127.0.0.1:${port}`;

  const kubeconfig = (o: { token?: string; namespace?: string } = {}): string =>
    toYaml({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "sealbridge-test", cluster: { server: url, "certificate-authority-data": Buffer.from(tls.caPem).toString("base64") } }],
      users: [{ name: "sealbridge-test-admin", user: { token: o.token ?? adminToken } }],
      contexts: [{ name: "sealbridge-test", context: { cluster: "sealbridge-test", user: "sealbridge-test-admin", namespace: o.namespace ?? "default" } }],
      "current-context": "sealbridge-test",
      preferences: {},
    });

  return {
    url,
    caPem: tls.caPem,
    adminToken,
    issuer: DEFAULT_ISSUER,
    kubeconfig,
    writeKubeconfig: (path, o) => writeFile(path, kubeconfig(o), { mode: 0o600 }),
    issueServiceAccountToken(namespace, name, o = {}) {
      const uid = store.get("/serviceaccounts", `${namespace}/${name}`)?.metadata.uid ?? "";
      return tokens.issue(namespace, name, uid, o).token;
    },
    setServiceBackend: (namespace, service, baseUrl) => backends.set("services", namespace, service, baseUrl),
    setPodBackend: (namespace, pod, baseUrl) => backends.set("pods", namespace, pod, baseUrl),
    faults: {
      latencyMs: (p, ms) => faults.latencyMs(p, ms),
      failRate: (p, status, amount) => faults.failRate(p, status, amount),
      dropWatches: () => faults.dropWatches(),
      cutWatchesAfter: (n) => faults.cutWatchesAfter(n),
      expireResourceVersions: () => store.expireHistory(),
      clear: () => faults.clear(),
    },
    counters: {
      requests: (m, p) => counters.requests(m, p),
      writes: () => counters.writes(),
      log: () => counters.records,
      reset: () => counters.reset(),
    },
    objects: (resource, namespace) => structuredClone(store.list(storageKeyOf(semantics, resource), namespace)),
    resourceVersion: () => String(store.currentRV()),
    watchCount: () => faults.watches.size,
    gcIdle: () => gc.idle(),
    reset() {
      faults.dropWatches();
      store.clear();
      registry.clearCustom();
      backends.clear();
      seed(semantics, registry);
    },
    async restart() {
      await http.close();
      await http.listen();
    },
    async stop() {
      gc.stop();
      await http.close();
    },
  };
}
