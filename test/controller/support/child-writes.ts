/**
 * Reading planned child writes in tests the way the old Secret actions read: `none`, `create`
 * (apply without resourceVersion), `update` (apply at a resourceVersion), `recreate` (replace),
 * `patch`, `delete`; and the Secret a write carries.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/kube/types.js";
import type { ChildWrite } from "../../../src/controller/runtime/kind.js";

/** The old action name of the only write in `writes` ("none" when empty). */
export function writeKind(writes: readonly ChildWrite[] | ChildWrite | null): "none" | "create" | "update" | "recreate" | "patch" | "delete" {
  const list = writes === null ? [] : Array.isArray(writes) ? writes : [writes as ChildWrite];
  assert.ok(list.length <= 1, `expected at most one write, got ${list.length}`);
  const w = list[0];
  if (!w) return "none";
  if (w.op === "apply") return w.object.metadata.resourceVersion === undefined ? "create" : "update";
  if (w.op === "replace") return "recreate";
  return w.op;
}

/** The object the only write creates or replaces. */
export function writtenObject(writes: readonly ChildWrite[] | ChildWrite | null): KubeObject {
  const list = writes === null ? [] : Array.isArray(writes) ? writes : [writes as ChildWrite];
  const w = list[0];
  assert.ok(w && (w.op === "apply" || w.op === "replace"), `expected an apply or replace, got ${w?.op ?? "none"}`);
  return w.object;
}

/** The merge patch of the only write. */
export function writtenPatch(writes: readonly ChildWrite[] | ChildWrite | null): Record<string, unknown> {
  const list = writes === null ? [] : Array.isArray(writes) ? writes : [writes as ChildWrite];
  const w = list[0];
  assert.ok(w && w.op === "patch", `expected a patch, got ${w?.op ?? "none"}`);
  return w.patch as Record<string, unknown>;
}
