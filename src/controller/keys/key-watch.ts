/**
 * Watches the key Secrets of the controller namespace (sealing keys and age identities) and asks
 * for a reload whenever one is added, changed or deleted, so that every replica (the leader that
 * created a key and the standbys that did not) serves and decrypts with the same keys.
 */
import type { KubeClient } from "../../kube/types.js";
import { Informer } from "../runtime/informer.js";
import type { ControllerLogger } from "../types.js";
import { AGE_IDENTITY_LABEL } from "./age-identity.js";
import { SEALING_KEY_LABEL } from "./key-registry.js";
import { SECRETS } from "../../kube/resources.js";

/** Runs `reload` once per burst of key Secret changes; never two reloads at once. */
export class KeySecretWatch {
  readonly #informers: Informer[];
  readonly #reload: () => Promise<void>;
  readonly #log: ControllerLogger;
  #running: Promise<void> | undefined;
  #dirty = false;
  #stopped = false;

  constructor(kube: KubeClient, namespace: string, log: ControllerLogger, reload: () => Promise<void>) {
    this.#reload = reload;
    this.#log = log;
    this.#informers = [SEALING_KEY_LABEL, AGE_IDENTITY_LABEL].map(
      (labelSelector) => new Informer({ kube, resource: SECRETS, namespace, labelSelector, log }),
    );
    for (const informer of this.#informers) {
      // The initial list emits "add" for every existing key: that is the first load.
      informer.addHandler(() => this.#request());
    }
  }

  /** Starts watching; resolves when both watches have loaded their first list. */
  async start(): Promise<void> {
    for (const informer of this.#informers) informer.start();
    await Promise.all(this.#informers.map((i) => i.synced()));
  }

  /** Stops both watches; a reload in progress finishes, none starts after. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#informers.map((i) => i.stop()));
    await this.#running;
  }

  #request(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#dirty = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#dirty = false;
        try {
          await this.#reload();
        } catch (err) {
          this.#log.warn({ err: err instanceof Error ? err.message : String(err) }, "re-reading key Secrets after a change failed");
        }
      } while (this.#dirty && !this.#stopped);
      this.#running = undefined;
    })();
  }
}
