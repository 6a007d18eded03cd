/**
 * The key service of the SealedSecret and AgeSecret kinds: every replica follows the key Secrets
 * from the moment it is built (standbys included), so the key endpoints answer on any pod; only
 * the leader creates and renews keys (the kinds' `start`).
 */
import type { ControllerConfig } from "../config.js";
import { controllerKeysFor } from "../keys/controller-keys.js";
import type { ControllerKeys } from "../keys/controller-keys.js";
import type { ControllerDeps } from "../reconcilers.js";
import type { DecryptingKeys, UnsealObserver } from "./kind.js";

/** The process's one key service (shared through `deps.share`), following the key Secrets from now on. */
export function followedKeys(cfg: ControllerConfig, deps: ControllerDeps): ControllerKeys {
  return deps.share("controller-keys", () => {
    const keys = controllerKeysFor(cfg);
    keys.follow(deps.kube, deps.clock, deps.log).catch((err: unknown) =>
      deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, "loading sealing keys failed; the key watch retries"),
    );
    return keys;
  });
}

/** `keys` as the encrypted kinds use them: started (leader only) with the runtime's context. */
export function decryptingKeys(keys: ControllerKeys): DecryptingKeys {
  return {
    start: (ctx) => keys.start(ctx.kube, ctx.clock, ctx.log, ctx.isLeader),
    get version() {
      return keys.version;
    },
  };
}

/** sealed-secrets' unseal counters on the process's registry. */
export function unsealObserver(deps: ControllerDeps): UnsealObserver {
  return {
    requested: () => deps.metrics.unsealRequests.inc(),
    failed: (reason, namespace) => deps.metrics.unsealErrors.inc({ reason, namespace }),
  };
}
