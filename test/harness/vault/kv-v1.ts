/**
 * KV version 1 (api-docs/secret/kv/kv-v1): flat key/value pairs, no versions; the read answers
 * the mount's default lease (768h) or the entry's own `ttl`/`lease` as an advisory lease (§6).
 */
import type { Backend, VaultCore } from "./backend.js";
import { badRequest } from "./envelope.js";
import type { Body } from "./fields.js";
import { parseDuration } from "./fields.js";
import { listChildren } from "./kv-list.js";
import type { MountEntry } from "./storage.js";
import { defaultTtlSeconds } from "./tokens.js";

/** The KV v1 backend for a mount (cubbyhole uses it too, keyed per token). */
export function kvV1Backend(core: VaultCore, mount: MountEntry, scope?: () => string): Backend {
  const entries = (): Map<string, Body> => {
    const all = core.storage.stateOf(mount.uuid, () => new Map<string, Map<string, Body>>());
    const key = scope?.() ?? "";
    let m = all.get(key);
    if (m === undefined) {
      m = new Map();
      all.set(key, m);
    }
    return m;
  };
  return {
    exists: (path) => entries().has(path),
    async handle(req) {
      const store = entries();
      switch (req.operation) {
        case "read": {
          const value = store.get(req.path);
          if (value === undefined) return null;
          const lease = parseDuration(value["ttl"] ?? value["lease"]);
          return { data: { ...value }, leaseDuration: scope ? 0 : (lease ?? defaultTtlSeconds) };
        }
        case "list": {
          const keys = listChildren(store.keys(), req.path);
          return keys === null ? null : { data: { keys } };
        }
        case "create":
        case "update": {
          if (req.path === "" || req.path.endsWith("/")) throw badRequest("missing path");
          if (Object.keys(req.data).length === 0) throw badRequest("missing data fields");
          store.set(req.path, { ...req.data });
          return null;
        }
        case "delete":
          store.delete(req.path);
          return null;
        case "patch":
          throw badRequest("unsupported operation");
      }
    },
  };
}
