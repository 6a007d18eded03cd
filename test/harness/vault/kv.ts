/**
 * The KV secrets engine: picks v1 or v2 by the mount's `options.version` and holds what both
 * share (listing the direct children of a folder, §5.4 and §6).
 */
import type { Backend, VaultCore } from "./backend.js";
import type { MountEntry } from "./storage.js";
import { kvV1Backend } from "./kv-v1.js";
import { kvV2Backend } from "./kv-v2.js";

/** True when the mount is KV version 2. */
export function isKvV2(mount: MountEntry): boolean {
  return mount.options?.["version"] === "2";
}

/** The KV backend for a mount. */
export function kvBackend(core: VaultCore, mount: MountEntry): Backend {
  return isKvV2(mount) ? kvV2Backend(core, mount) : kvV1Backend(core, mount);
}
