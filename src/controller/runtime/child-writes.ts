/**
 * The one shell that applies a plan's child writes: create/replace/patch/delete through the
 * KubeClient, skipping an `apply` the cache already holds, and restarting the consumers of a
 * Secret whose content changed (sealbridge.io/reload). A 409 is thrown to the caller, which
 * re-plans once.
 */
import type { Clock } from "../../clock.js";
import { SECRETS } from "../../kube/resources.js";
import { secretContentHash } from "../../kube/secret-content.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import { reloadConsumers } from "../reload.js";
import type { ControllerLogger } from "../types.js";
import type { ChildWrite } from "./kind.js";
import { jsonEqual } from "./json-compare.js";

/** What applying writes needs. */
export interface WriteServices {
  kube: KubeClient;
  clock: Clock;
  log: ControllerLogger;
  /** The cache of a child resource, when it is watched. */
  cached?(write: ChildWrite): KubeObject | undefined;
}

function comparable(obj: KubeObject): unknown[] {
  const { metadata, status: _status, ...rest } = obj;
  return [rest, metadata.labels ?? {}, metadata.annotations ?? {}, metadata.ownerReferences ?? []];
}

/** True when `live` already is what `write` would make it (same version, same content). */
function alreadyApplied(write: ChildWrite, live: KubeObject | undefined): boolean {
  if (write.op !== "apply" || !live) return false;
  const rv = write.object.metadata.resourceVersion;
  return rv !== undefined && rv === live.metadata.resourceVersion && jsonEqual(comparable(live), comparable(write.object));
}

async function applyOne(s: WriteServices, write: ChildWrite): Promise<KubeObject | null> {
  const { kube } = s;
  switch (write.op) {
    case "apply":
      if (alreadyApplied(write, s.cached?.(write))) return null;
      return write.object.metadata.resourceVersion === undefined ? kube.create(write.resource, write.object) : kube.replace(write.resource, write.object);
    case "replace": {
      const { namespace, name } = write.object.metadata;
      await kube.delete(write.resource, namespace, name ?? "");
      const { resourceVersion: _rv, uid: _uid, ...metadata } = write.object.metadata;
      return kube.create(write.resource, { ...write.object, metadata });
    }
    case "patch":
      if (write.patchType !== "merge") throw new Error(`strategic merge patch is not supported: ${write.resource.plural} ${write.name} (plan a merge patch)`);
      return kube.mergePatch(write.resource, write.namespace, write.name, write.patch);
    case "delete":
      await kube.delete(write.resource, write.namespace, write.name);
      return null;
  }
}

/**
 * Applies `writes` in order. @returns how many were written.
 * @throws KubeApiError of the first failing write (a 409 means: re-plan on fresh reads).
 */
export async function applyWrites(s: WriteServices, writes: readonly ChildWrite[]): Promise<number> {
  let written = 0;
  for (const write of writes) {
    const result = await applyOne(s, write);
    if (result === null && write.op !== "delete") continue;
    written++;
    if (write.op === "delete" || write.resource !== SECRETS || !write.previous || !result) continue;
    const before = secretContentHash(write.previous);
    const after = secretContentHash(write.op === "patch" ? result : write.object);
    if (before === after) continue;
    // Restart consumers once per content change (never on creation, never for metadata only).
    await reloadConsumers(s.kube, write.previous.metadata.namespace ?? "", write.previous.metadata.name ?? "", after, s.clock, s.log);
  }
  return written;
}
