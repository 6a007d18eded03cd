/**
 * KV version 2 (api-docs/secret/kv/kv-v2; vault-api.md §5): versioned data under `data/`,
 * metadata under `metadata/`, `delete/`, `undelete/`, `destroy/`, mount `config`, check-and-set,
 * max_versions and delete_version_after.
 */
import type { Backend, LogicalRequest, VaultCore } from "./backend.js";
import { badRequest, notFound, VaultApiError } from "./envelope.js";
import type { LogicalResponse } from "./envelope.js";
import type { Body } from "./fields.js";
import { boolField, durationField, formatDuration, intField, parseDuration, rfc3339 } from "./fields.js";
import { listChildren } from "./kv-list.js";
import type { MountEntry } from "./storage.js";

interface Version {
  data: Body | null;
  created: number;
  deletion: number | null;
  destroyed: boolean;
}

interface KeyMeta {
  versions: Map<number, Version>;
  current: number;
  oldest: number;
  created: number;
  updated: number;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
  custom: Record<string, string> | null;
}

interface MountState {
  keys: Map<string, KeyMeta>;
  config: { maxVersions: number; casRequired: boolean; deleteVersionAfter: number };
}

const sections = ["data", "metadata", "delete", "undelete", "destroy"] as const;

function split(path: string): { section: string; key: string } {
  const slash = path.indexOf("/");
  return slash < 0 ? { section: path, key: "" } : { section: path.slice(0, slash), key: path.slice(slash + 1) };
}

function versionMeta(v: Version, n: number, custom: Record<string, string> | null): Record<string, unknown> {
  return {
    created_time: rfc3339(v.created),
    custom_metadata: custom,
    deletion_time: v.deletion === null ? "" : rfc3339(v.deletion),
    destroyed: v.destroyed,
    version: n,
  };
}

function versionsList(body: Body, lower: boolean): number[] {
  const raw = body["versions"];
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : raw === undefined ? [] : [raw];
  const nums = list.map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0);
  if (nums.length === 0) throw badRequest(lower ? "no version number provided" : "No version number provided");
  return nums;
}

function customMetadata(v: unknown): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) throw badRequest("custom_metadata must be a map of strings");
  const entries = Object.entries(v);
  if (entries.length > 64) throw badRequest("custom_metadata: payload must contain at most 64 keys");
  return Object.fromEntries(entries.map(([k, x]) => [k, String(x)]));
}

/** The KV v2 backend for a mount. */
export function kvV2Backend(core: VaultCore, mount: MountEntry): Backend {
  const state = (): MountState =>
    core.storage.stateOf(mount.uuid, () => ({
      keys: new Map<string, KeyMeta>(),
      config: { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 },
    }));

  const isDeleted = (v: Version): boolean => v.deletion !== null && v.deletion <= core.now();

  function write(key: string, req: LogicalRequest, patch: boolean): LogicalResponse {
    const st = state();
    const input = req.data["data"];
    if (input === undefined || input === null || typeof input !== "object" || Array.isArray(input)) {
      throw badRequest("no data provided");
    }
    let meta = st.keys.get(key);
    const options = (req.data["options"] ?? {}) as Body;
    const casRequired = st.config.casRequired || (meta?.casRequired ?? false);
    if (options["cas"] !== undefined) {
      let cas: number;
      try {
        cas = intField(options, "cas", 0);
      } catch {
        throw badRequest("error parsing check-and-set parameter");
      }
      if (cas !== (meta?.current ?? 0)) throw badRequest("check-and-set parameter did not match the current version");
    } else if (casRequired) {
      throw badRequest("check-and-set parameter required for this call");
    }
    let data = { ...(input as Body) };
    if (patch) {
      const latest = meta?.versions.get(meta.current);
      if (meta === undefined || latest === undefined || latest.data === null || isDeleted(latest)) throw notFound();
      data = { ...latest.data };
      for (const [k, v] of Object.entries(input as Body)) {
        if (v === null) delete data[k];
        else data[k] = v;
      }
    }
    const now = core.now();
    if (meta === undefined) {
      meta = { versions: new Map(), current: 0, oldest: 0, created: now, updated: now, maxVersions: 0, casRequired: false, deleteVersionAfter: 0, custom: null };
      st.keys.set(key, meta);
    }
    const n = meta.current + 1;
    const dva = meta.deleteVersionAfter || st.config.deleteVersionAfter;
    const version: Version = { data, created: now, deletion: dva > 0 ? now + dva * 1000 : null, destroyed: false };
    meta.versions.set(n, version);
    meta.current = n;
    meta.updated = now;
    if (meta.oldest === 0) meta.oldest = 1;
    const max = meta.maxVersions || st.config.maxVersions || 10;
    while (meta.versions.size > max) {
      meta.versions.delete(meta.oldest);
      meta.oldest += 1;
    }
    return { data: versionMeta(version, n, meta.custom) };
  }

  function read(key: string, req: LogicalRequest): LogicalResponse | null {
    const meta = state().keys.get(key);
    if (meta === undefined) return null;
    const asked = intField(Object.fromEntries(req.query), "version", 0);
    const n = asked === 0 ? meta.current : asked;
    const v = meta.versions.get(n);
    if (v === undefined) return null;
    const m = versionMeta(v, n, meta.custom);
    if (v.destroyed || isDeleted(v)) return { data: { data: null, metadata: m }, status: 404 };
    return { data: { data: { ...v.data }, metadata: m } };
  }

  function readMetadata(key: string): LogicalResponse | null {
    const meta = state().keys.get(key);
    if (meta === undefined) return null;
    const versions: Record<string, unknown> = {};
    for (const [n, v] of [...meta.versions].sort((a, b) => a[0] - b[0])) {
      versions[String(n)] = {
        created_time: rfc3339(v.created),
        deletion_time: v.deletion === null ? "" : rfc3339(v.deletion),
        destroyed: v.destroyed,
      };
    }
    return {
      data: {
        cas_required: meta.casRequired,
        created_time: rfc3339(meta.created),
        current_version: meta.current,
        custom_metadata: meta.custom,
        delete_version_after: formatDuration(meta.deleteVersionAfter),
        max_versions: meta.maxVersions,
        oldest_version: meta.oldest,
        updated_time: rfc3339(meta.updated),
        versions,
      },
    };
  }

  function writeMetadata(key: string, body: Body, patch: boolean): null {
    const st = state();
    const now = core.now();
    let meta = st.keys.get(key);
    if (meta === undefined) {
      if (patch) throw notFound();
      meta = { versions: new Map(), current: 0, oldest: 0, created: now, updated: now, maxVersions: 0, casRequired: false, deleteVersionAfter: 0, custom: null };
      st.keys.set(key, meta);
    }
    meta.maxVersions = intField(body, "max_versions", meta.maxVersions);
    meta.casRequired = boolField(body, "cas_required", meta.casRequired);
    meta.deleteVersionAfter = durationField(body, "delete_version_after", meta.deleteVersionAfter);
    if (body["custom_metadata"] !== undefined) {
      const next = customMetadata(body["custom_metadata"]);
      if (patch && next !== null) {
        const merged: Record<string, string> = { ...(meta.custom ?? {}) };
        for (const [k, v] of Object.entries(body["custom_metadata"] as Body)) {
          if (v === null) delete merged[k];
          else merged[k] = String(v);
        }
        meta.custom = merged;
      } else {
        meta.custom = next;
      }
    }
    meta.updated = now;
    return null;
  }

  function changeVersions(key: string, section: string, body: Body): null {
    const nums = versionsList(body, section === "destroy");
    const meta = state().keys.get(key);
    if (meta === undefined) return null;
    const now = core.now();
    for (const n of nums) {
      const v = meta.versions.get(n);
      if (v === undefined) continue;
      if (section === "delete" && !v.destroyed && v.deletion === null) v.deletion = now;
      if (section === "delete" && !v.destroyed && v.deletion !== null && v.deletion > now) v.deletion = now;
      if (section === "undelete" && !v.destroyed) v.deletion = null;
      if (section === "destroy") {
        v.destroyed = true;
        v.data = null;
      }
    }
    return null;
  }

  const unsupported = (): VaultApiError => new VaultApiError(405, ["1 error occurred:\n\t* unsupported operation\n\n"]);

  return {
    exists(path) {
      const { section, key } = split(path);
      if (section === "config") return true;
      if (section !== "data" && section !== "metadata") return undefined;
      return state().keys.has(key);
    },
    async handle(req) {
      const { section, key } = split(req.path);
      const op = req.operation;
      const write_ = op === "create" || op === "update";
      if (section === "config" && key === "") {
        const st = state();
        if (op === "read") {
          return {
            data: {
              cas_required: st.config.casRequired,
              delete_version_after: formatDuration(st.config.deleteVersionAfter),
              max_versions: st.config.maxVersions,
            },
          };
        }
        if (write_) {
          st.config.maxVersions = intField(req.data, "max_versions", st.config.maxVersions);
          st.config.casRequired = boolField(req.data, "cas_required", st.config.casRequired);
          const dva = req.data["delete_version_after"];
          if (dva !== undefined) st.config.deleteVersionAfter = parseDuration(dva) ?? 0;
          return null;
        }
        throw unsupported();
      }
      if (!(sections as readonly string[]).includes(section)) {
        throw new VaultApiError(404, [`no handler for route "${req.mount.path}${req.path}". route entry not found.`]);
      }
      if (section === "metadata" && op === "list") {
        const keys = listChildren(state().keys.keys(), key);
        return keys === null ? null : { data: { keys } };
      }
      if (key === "" || key.endsWith("/")) {
        if (op === "list") throw unsupported();
        throw badRequest("missing path");
      }
      switch (section) {
        case "data":
          if (op === "read") return read(key, req);
          if (write_) return write(key, req, false);
          if (op === "patch") return write(key, req, true);
          if (op === "delete") {
            const meta = state().keys.get(key);
            const latest = meta?.versions.get(meta.current);
            if (latest !== undefined && !latest.destroyed && !isDeleted(latest)) latest.deletion = core.now();
            return null;
          }
          break;
        case "metadata":
          if (op === "read") return readMetadata(key);
          if (write_) return writeMetadata(key, req.data, false);
          if (op === "patch") return writeMetadata(key, req.data, true);
          if (op === "delete") {
            state().keys.delete(key);
            return null;
          }
          break;
        default:
          if (write_) return changeVersions(key, section, req.data);
      }
      throw unsupported();
    },
  };
}
