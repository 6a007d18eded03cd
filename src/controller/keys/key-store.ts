/**
 * The sealing keys' IO shell: loads every key Secret in the controller namespace, creates the
 * first key when there is none, and adds a new key when renewal is due. Old keys are never
 * deleted (they still decrypt). Decisions come from key-registry.ts.
 */
import type { Clock } from "../../clock.js";
import type { GeneratedSealingKey } from "../../crypto/sealing-key.js";
import { RemoteError } from "../../errors.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import {
  SEALING_KEY_ACTIVE,
  SEALING_KEY_LABEL,
  buildKeyRegistry,
  isRenewalDue,
  nextRenewalAt,
} from "./key-registry.js";
import type { KeyOrderPriority, KeyRegistry } from "./key-registry.js";
import { SECRETS } from "../../kube/resources.js";



/** Makes a new sealing key (RSA-4096 + self-signed certificate in production). */
export type SealingKeyGenerator = () => Promise<GeneratedSealingKey> | GeneratedSealingKey;

export interface KeyStoreOptions {
  kube: KubeClient;
  clock: Clock;
  /** The controller namespace, where key Secrets live. */
  namespace: string;
  /** generateName of new key Secrets (sealed-secrets: `sealed-secrets-key`). */
  keyPrefix: string;
  /** 0 disables renewal. */
  renewPeriodMs: number;
  generate: SealingKeyGenerator;
  orderPriority?: KeyOrderPriority;
  /** Extra labels/annotations for new key Secrets (sealed-secrets' `--privatekey-labels`). */
  extraLabels?: Record<string, string>;
}

/** The Secret that holds a new sealing key, as sealed-secrets writes it. */
function sealingKeySecret(namespace: string, keyPrefix: string, key: GeneratedSealingKey, extraLabels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      generateName: keyPrefix,
      namespace,
      labels: { ...extraLabels, [SEALING_KEY_LABEL]: SEALING_KEY_ACTIVE },
    },
    type: "kubernetes.io/tls",
    data: {
      "tls.key": Buffer.from(key.privateKeyPem, "utf8").toString("base64"),
      "tls.crt": Buffer.from(key.certificatePem, "utf8").toString("base64"),
    },
  };
}

/** Holds the current key registry and keeps it renewed. */
export class KeyStore {
  #registry: KeyRegistry = { keys: [], rejected: [] };
  readonly #opts: KeyStoreOptions;
  readonly #listeners: Array<(registry: KeyRegistry) => void | Promise<void>> = [];

  constructor(opts: KeyStoreOptions) {
    this.#opts = opts;
  }

  /** The keys as last loaded: `keys[0]` seals. */
  get registry(): KeyRegistry {
    return this.#registry;
  }

  /** Called after every key change (a new key made or a different set loaded). */
  onChange(listener: (registry: KeyRegistry) => void | Promise<void>): void {
    this.#listeners.push(listener);
  }

  /**
   * Reads every key Secret of the namespace (labelled ones plus the legacy `sealed-secrets-key`).
   * @throws RemoteError when the Secrets cannot be listed.
   */
  async load(): Promise<KeyRegistry> {
    const { kube, namespace } = this.#opts;
    let secrets: KubeObject[];
    try {
      const list = await kube.list(SECRETS, namespace, { labelSelector: SEALING_KEY_LABEL });
      secrets = list.items;
      const legacy = await kube.get(SECRETS, namespace, "sealed-secrets-key");
      if (legacy && !secrets.some((s) => s.metadata.name === "sealed-secrets-key")) secrets.push(legacy);
    } catch (err) {
      throw new RemoteError(`listing sealing key Secrets failed: namespace ${namespace} (check the controller can list Secrets there)`, { cause: err });
    }
    const before = this.#fingerprints();
    this.#registry = buildKeyRegistry(secrets, this.#opts.orderPriority);
    if (before !== this.#fingerprints()) await this.#notify();
    return this.#registry;
  }

  /**
   * Loads the keys, then makes a new one when there is none or renewal is due.
   * @returns true when a key was created.
   * @throws RemoteError when Kubernetes fails; errors of the generator as they are.
   */
  async ensureCurrent(): Promise<boolean> {
    await this.load();
    const { clock, renewPeriodMs, orderPriority } = this.#opts;
    if (!isRenewalDue(this.#registry, renewPeriodMs, clock.now(), orderPriority)) return false;
    await this.createKey();
    return true;
  }

  /**
   * Makes a new key Secret now (also what a renewal does) and reloads.
   * @throws RemoteError when the Secret cannot be created.
   */
  async createKey(): Promise<KeyRegistry> {
    const { kube, namespace, keyPrefix, generate, extraLabels } = this.#opts;
    const key = await generate();
    try {
      await kube.create(SECRETS, sealingKeySecret(namespace, keyPrefix, key, extraLabels));
    } catch (err) {
      throw new RemoteError(`creating a sealing key Secret failed: namespace ${namespace} (check the controller can create Secrets there)`, { cause: err });
    }
    return this.load();
  }

  /** Milliseconds until the next renewal is due, or null when renewal is disabled. */
  msUntilRenewal(): number | null {
    const at = nextRenewalAt(this.#registry, this.#opts.renewPeriodMs, this.#opts.orderPriority);
    if (at === null) return null;
    return Math.max(0, at.getTime() - this.#opts.clock.now().getTime());
  }

  #fingerprints(): string {
    return this.#registry.keys.map((k) => k.fingerprint).join(",");
  }

  async #notify(): Promise<void> {
    for (const listener of this.#listeners) await listener(this.#registry);
  }
}
