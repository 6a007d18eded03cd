/**
 * The controller's age identities: Secrets in the controller namespace labelled
 * `sealbridge.io/age-identity=active`, data `identity` (an `AGE-SECRET-KEY-1…` line). The newest
 * one's recipient is served at `/v1/age-recipient`; all of them decrypt. Created when there is
 * none and renewed like the sealing key. The pure ordering lives next to the IO shell because
 * both are small.
 */
import type { Clock } from "../../clock.js";
import { recipientOfIdentity } from "../../crypto/age-keys.js";
import { RemoteError } from "../../errors.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import { SECRETS } from "../../kube/resources.js";

export const AGE_IDENTITY_LABEL = "sealbridge.io/age-identity";
export const AGE_IDENTITY_ACTIVE = "active";
/** When the identity was made (RFC 3339); orders identities because age keys carry no date. */
export const AGE_IDENTITY_CREATED_ANNOTATION = "sealbridge.io/created-at";

/** One loaded age identity. */
export interface AgeIdentityEntry {
  secretName: string;
  /** `AGE-SECRET-KEY-1…` (or a post-quantum hybrid identity). */
  identity: string;
  /** `age1…` */
  recipient: string;
  createdAt: Date;
}

/** Age identities newest first, plus Secrets that could not be used. */
export interface AgeIdentitySet {
  identities: AgeIdentityEntry[];
  rejected: Array<{ secretName: string; reason: string }>;
}

/** A fresh identity and its recipient. */
export interface GeneratedAgeIdentity {
  identity: string;
  recipient: string;
}

export type AgeIdentityGenerator = () => Promise<GeneratedAgeIdentity> | GeneratedAgeIdentity;

/**
 * Builds the ordered identity set from Secrets (pure apart from deriving recipients).
 * Secrets not labelled `active` are retired and skipped.
 */
export async function buildAgeIdentitySet(secrets: KubeObject[]): Promise<AgeIdentitySet> {
  const identities: AgeIdentityEntry[] = [];
  const rejected: AgeIdentitySet["rejected"] = [];
  for (const secret of secrets) {
    const secretName = secret.metadata.name ?? "(unnamed)";
    if (secret.metadata.labels?.[AGE_IDENTITY_LABEL] !== AGE_IDENTITY_ACTIVE) continue;
    const data = secret["data"] as Record<string, unknown> | undefined;
    const raw = typeof data?.["identity"] === "string" ? Buffer.from(data["identity"], "base64").toString("utf8") : "";
    const identity = raw.split("\n").map((l) => l.trim()).find((l) => l.startsWith("AGE-SECRET-KEY-"));
    if (!identity) {
      rejected.push({ secretName, reason: "data.identity holds no AGE-SECRET-KEY line" });
      continue;
    }
    let recipient: string;
    try {
      recipient = await recipientOfIdentity(identity);
    } catch {
      rejected.push({ secretName, reason: "data.identity is not a valid age identity" });
      continue;
    }
    const stamp = secret.metadata.annotations?.[AGE_IDENTITY_CREATED_ANNOTATION] ?? secret.metadata.creationTimestamp;
    const createdAt = stamp && !Number.isNaN(Date.parse(stamp)) ? new Date(stamp) : new Date(0);
    if (identities.some((i) => i.recipient === recipient)) continue;
    identities.push({ secretName, identity, recipient, createdAt });
  }
  identities.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.secretName.localeCompare(b.secretName));
  return { identities, rejected };
}

/** The Secret that holds a new age identity. */
export function ageIdentitySecret(namespace: string, generated: GeneratedAgeIdentity, now: Date): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      generateName: "sealbridge-age-identity-",
      namespace,
      labels: { [AGE_IDENTITY_LABEL]: AGE_IDENTITY_ACTIVE },
      annotations: { [AGE_IDENTITY_CREATED_ANNOTATION]: now.toISOString(), "sealbridge.io/age-recipient": generated.recipient },
    },
    type: "Opaque",
    data: { identity: Buffer.from(`${generated.identity}\n`, "utf8").toString("base64") },
  };
}

export interface AgeIdentityStoreOptions {
  kube: KubeClient;
  clock: Clock;
  namespace: string;
  /** 0 disables renewal. */
  renewPeriodMs: number;
  generate: AgeIdentityGenerator;
}

/** Holds the current age identities and keeps them renewed. */
export class AgeIdentityStore {
  #set: AgeIdentitySet = { identities: [], rejected: [] };
  readonly #opts: AgeIdentityStoreOptions;
  readonly #listeners: Array<(set: AgeIdentitySet) => void | Promise<void>> = [];

  constructor(opts: AgeIdentityStoreOptions) {
    this.#opts = opts;
  }

  get current(): AgeIdentitySet {
    return this.#set;
  }

  /** The recipient new AgeSecrets should be sealed to, or undefined before the first load. */
  get recipient(): string | undefined {
    return this.#set.identities[0]?.recipient;
  }

  onChange(listener: (set: AgeIdentitySet) => void | Promise<void>): void {
    this.#listeners.push(listener);
  }

  /** @throws RemoteError when the Secrets cannot be listed. */
  async load(): Promise<AgeIdentitySet> {
    const { kube, namespace } = this.#opts;
    let items: KubeObject[];
    try {
      items = (await kube.list(SECRETS, namespace, { labelSelector: AGE_IDENTITY_LABEL })).items;
    } catch (err) {
      throw new RemoteError(`listing age identity Secrets failed: namespace ${namespace} (check the controller can list Secrets there)`, { cause: err });
    }
    const before = this.#set.identities.map((i) => i.recipient).join(",");
    this.#set = await buildAgeIdentitySet(items);
    if (before !== this.#set.identities.map((i) => i.recipient).join(",")) {
      for (const listener of this.#listeners) await listener(this.#set);
    }
    return this.#set;
  }

  /** True when there is no identity or the newest is a renew period old. */
  renewalDue(): boolean {
    const newest = this.#set.identities[0];
    if (!newest) return true;
    const { renewPeriodMs, clock } = this.#opts;
    return renewPeriodMs > 0 && newest.createdAt.getTime() + renewPeriodMs <= clock.now().getTime();
  }

  /** Milliseconds until renewal, or null when disabled. */
  msUntilRenewal(): number | null {
    const newest = this.#set.identities[0];
    if (!newest || this.#opts.renewPeriodMs <= 0) return null;
    return Math.max(0, newest.createdAt.getTime() + this.#opts.renewPeriodMs - this.#opts.clock.now().getTime());
  }

  /**
   * Loads, then creates an identity when none exists or renewal is due.
   * @returns true when one was created.
   * @throws RemoteError when Kubernetes fails.
   */
  async ensureCurrent(): Promise<boolean> {
    await this.load();
    if (!this.renewalDue()) return false;
    const { kube, namespace, generate, clock } = this.#opts;
    const generated = await generate();
    try {
      await kube.create(SECRETS, ageIdentitySecret(namespace, generated, clock.now()));
    } catch (err) {
      throw new RemoteError(`creating the age identity Secret failed: namespace ${namespace} (check the controller can create Secrets there)`, { cause: err });
    }
    await this.load();
    return true;
  }
}
