/**
 * An in-process Vault HTTP API test server: `startVaultServer()` starts one node or an HA cluster
 * of nodes over shared storage on free 127.0.0.1 ports, in dev mode (initialised, unsealed, a root
 * token, KV v2 at `secret/`, like `vault server -dev`) or new mode (uninitialised and sealed).
 * Tests can seal and restart nodes, inject latency and failures, count requests and advance the
 * clock that token and secret-ID expiry use.
 */
import { randomBytes } from "node:crypto";
import { ClusterCore } from "./core.js";
import { Faults, RequestCounter } from "./faults.js";
import { VaultNode } from "./server.js";
import { base62 } from "./tokens.js";

/** Options of {@link startVaultServer}. */
export interface VaultServerOptions {
  /** `dev` (default) or `new` (uninitialised and sealed, for init/unseal tests). */
  mode?: "dev" | "new";
  /** How many nodes over shared storage (default 1; more runs HA with standbys). */
  nodes?: number;
  /** Milliseconds "now" (default `Date.now`); {@link VaultTestCluster.advanceTime} adds to it. */
  clock?: () => number;
  /** Dev mode root token id (like `-dev-root-token-id`); random `hvs.…` by default. */
  rootToken?: string;
}

/** Control over one node. */
export interface VaultNodeControl {
  /** `http://127.0.0.1:PORT`. */
  readonly addr: string;
  /** Whether the node is sealed now. */
  readonly sealed: boolean;
  /** Seals this node (as `vault operator seal` against it). */
  seal(): void;
  /**
   * Stops and restarts the node's listener on the same port, with the shared state kept; the node
   * comes back sealed as a restarted Vault does, unless `unsealed` is set (dev mode convenience).
   */
  restart(opts?: { unsealed?: boolean }): Promise<void>;
}

/** A running test cluster. */
export interface VaultTestCluster {
  /** The first node's address. */
  addr: string;
  /** Every node's address. */
  addrs: string[];
  /** Dev mode: the root token. */
  rootToken?: string;
  /** Dev mode: the one unseal key (base64 of the raw 32-byte key, as `vault server -dev` prints it). */
  unsealKeys?: string[];
  node(i: number): VaultNodeControl;
  faults: {
    /** Adds latency to requests whose path (`/v1/…`) matches. */
    latencyMs(pathRegex: RegExp | string, ms: number): void;
    /** Fails matching requests: a rate below 1 (deterministic), or a count of the next ones. */
    failRate(pathRegex: RegExp | string, status: number, rateOrCount: number): void;
    /** Seals every node. */
    sealAll(): void;
    /** Removes latency and failure rules. */
    clear(): void;
  };
  counters: {
    /** Requests received (by method and/or path regex on `/v1/…`). */
    requests(method?: string, pathRegex?: RegExp | string): number;
    reset(): void;
  };
  /** Advances the clock token/secret-ID expiry uses. */
  advanceTime(ms: number): void;
  /** Back to the starting state (dev: same root token and unseal key, data wiped; new: uninitialised). */
  reset(): void;
  /** Stops every node. */
  stop(): Promise<void>;
}

/**
 * Starts a Vault test cluster.
 * @throws Error when a port cannot be bound.
 */
export async function startVaultServer(opts: VaultServerOptions = {}): Promise<VaultTestCluster> {
  const mode = opts.mode ?? "dev";
  const count = Math.max(1, opts.nodes ?? 1);
  const core = new ClusterCore(count, opts.clock ?? Date.now);
  const faults = new Faults();
  const counter = new RequestCounter();
  const nodes: VaultNode[] = [];
  const addrs = (): string[] => nodes.map((n) => n.addr);
  for (let i = 0; i < count; i++) nodes.push(new VaultNode(i, core, faults, counter, addrs));
  try {
    await Promise.all(nodes.map((n) => n.listen()));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.close()));
    throw err;
  }
  const unsealKey = randomBytes(32);
  const rootToken = opts.rootToken ?? `hvs.${base62(randomBytes, 24)}`;
  const setup = (): void => {
    if (mode === "dev") core.initialiseDev(unsealKey, rootToken);
    else core.clearAll();
  };
  setup();

  const control = (i: number): VaultNodeControl => {
    const node = nodes[i];
    const seal = core.nodeSeals[i];
    if (node === undefined || seal === undefined) throw new RangeError(`vault node ${i}: no such node (have ${count})`);
    return {
      get addr() {
        return node.addr;
      },
      get sealed() {
        return seal.sealed;
      },
      seal: () => seal.seal(core.storage, core.nodeSeals),
      async restart(r = {}) {
        await node.close();
        seal.seal(core.storage, core.nodeSeals);
        await node.listen();
        if (r.unsealed && core.storage.sealConfig !== null) seal.markUnsealed(core.storage, core.nodeSeals);
      },
    };
  };

  return {
    addr: addrs()[0] ?? "",
    addrs: addrs(),
    ...(mode === "dev" ? { rootToken, unsealKeys: [unsealKey.toString("base64")] } : {}),
    node: control,
    faults: {
      latencyMs: (re, ms) => faults.latencyMs(re, ms),
      failRate: (re, status, rate) => faults.failRate(re, status, rate),
      sealAll: () => core.sealAll(),
      clear: () => faults.clear(),
    },
    counters: {
      requests: (method, re) => counter.requests(method, re),
      reset: () => counter.reset(),
    },
    advanceTime: (ms) => core.advanceTime(ms),
    reset() {
      faults.clear();
      counter.reset();
      core.resetTime();
      setup();
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}
