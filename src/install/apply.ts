/**
 * `sealbridge install` and `sealbridge uninstall` against a cluster: server-side apply of the
 * exported objects as field manager `sealbridge-install` (a second run writes nothing), and
 * removal of exactly what that manager applied — found by the `app.kubernetes.io/part-of`
 * label and the manager's managedFields entry. The Namespace (it holds the sealing keys) is
 * always kept; CRDs (deleting one deletes every object of its kind) only go with `deleteCrds`.
 */
import { InputError } from "../errors.js";
import { isKubeApiError } from "../kube/errors.js";
import type { KubeObject, ResourceRef } from "../kube/types.js";
import { INSTALL_RESOURCES, objectLabel, resourceOf } from "./install-resources.js";

/** The field manager of `sealbridge install`. */
export const FIELD_MANAGER = "sealbridge-install";
const PART_OF = "app.kubernetes.io/part-of=sealbridge";

/** The client calls install and uninstall make (HttpKubeClient has them). */
export interface InstallClient {
  get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T | null>;
  list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts?: { labelSelector?: string }): Promise<{ items: T[] }>;
  apply<T extends KubeObject = KubeObject>(res: ResourceRef, obj: T, opts: { fieldManager: string; force?: boolean }): Promise<T>;
  delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: { propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<boolean>;
}

/** What happened to one object. */
export interface ObjectResult {
  /** `deployment.apps/sealbridge-controller`. */
  object: string;
  action: "created" | "configured" | "unchanged" | "deleted" | "kept";
  /** Why it was kept. */
  note?: string;
}

function missingKind(res: ResourceRef, cause: unknown): InputError {
  const hint = res.group === "monitoring.coreos.com" ? "install the Prometheus Operator CRDs first, or leave out --prometheus" : "check that the cluster serves it";
  return new InputError(`the cluster does not serve ${res.kind} (${res.group}/${res.version}): ${res.plural} (${hint})`, { cause, code: "KindNotServed" });
}

/**
 * Applies `objects` in order; each result says whether it was created, changed or left unchanged
 * (by its resourceVersion).
 * @throws InputError when the cluster does not serve a kind (ServiceMonitor without the
 *   Prometheus Operator); KubeApiError for refusals (403, 409 conflicts with another manager, 422).
 */
export async function applyObjects(kube: InstallClient, objects: readonly KubeObject[]): Promise<ObjectResult[]> {
  const out: ObjectResult[] = [];
  for (const obj of objects) {
    const res = resourceOf(obj);
    const name = obj.metadata.name ?? "";
    const ns = res.namespaced ? obj.metadata.namespace : undefined;
    let before: KubeObject | null;
    try {
      before = await kube.get(res, ns, name);
    } catch (err) {
      if (isKubeApiError(err) && err.status === 404) throw missingKind(res, err);
      throw err;
    }
    const after = await kube.apply(res, obj, { fieldManager: FIELD_MANAGER, force: false });
    const action = before === null ? "created" : before.metadata.resourceVersion === after.metadata.resourceVersion ? "unchanged" : "configured";
    out.push({ object: objectLabel(res, name), action });
  }
  return out;
}

function appliedByInstall(obj: KubeObject): boolean {
  const entries = (obj.metadata as { managedFields?: Array<{ manager?: string; operation?: string }> }).managedFields ?? [];
  return entries.some((e) => e.manager === FIELD_MANAGER && e.operation === "Apply");
}

/**
 * Deletes what `install` applied (label and field manager), newest kinds first; keeps the
 * Namespace and, unless `deleteCrds`, the CRDs. Never touches custom resources, key Secrets or
 * synced Secrets: install makes none of them.
 * @throws KubeApiError for refusals other than a kind the cluster does not serve.
 */
export async function uninstallObjects(kube: InstallClient, opts: { namespace: string; deleteCrds: boolean }): Promise<ObjectResult[]> {
  const out: ObjectResult[] = [];
  for (const res of [...INSTALL_RESOURCES].reverse()) {
    let items: KubeObject[];
    try {
      items = (await kube.list(res, res.namespaced ? opts.namespace : undefined, { labelSelector: PART_OF })).items;
    } catch (err) {
      if (isKubeApiError(err) && err.status === 404) continue; // kind not served: nothing of it was installed
      throw err;
    }
    for (const obj of items.filter(appliedByInstall)) {
      const name = obj.metadata.name ?? "";
      const label = objectLabel(res, name);
      if (res.kind === "Namespace") {
        out.push({ object: label, action: "kept", note: "it holds the sealing keys and age identities (delete it yourself once they are backed up: sealbridge keys backup)" });
      } else if (res.kind === "CustomResourceDefinition" && !opts.deleteCrds) {
        out.push({ object: label, action: "kept", note: "deleting a CRD deletes every object of its kind (pass --delete-crds to remove it anyway)" });
      } else {
        await kube.delete(res, res.namespaced ? opts.namespace : undefined, name, { propagationPolicy: "Background" });
        out.push({ object: label, action: "deleted" });
      }
    }
  }
  return out;
}
