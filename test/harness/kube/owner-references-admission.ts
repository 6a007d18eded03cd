/**
 * The OwnerReferencesPermissionEnforcement admission plugin (k8s.io/kubernetes v1.37.2
 * plugin/pkg/admission/gc/gc_admission.go; https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#ownerreferencespermissionenforcement):
 * on create and update, changing an object's ownerReferences needs `delete` on the object (updates
 * only), and each newly blocking reference (`blockOwnerDeletion: true`) needs `update` on the
 * owner's `finalizers` subresource, unless the user may update `*` finalizers. pods/status is
 * exempt. Refusals are 403 with the plugin's texts.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { UserInfo } from "./auth.js";
import { authorize, type RbacSource, type RequestAttributes } from "./rbac.js";
import type { TypeRegistry } from "./registry.js";
import type { ResourceType } from "./resource-types.js";
import { sameJson } from "./canonical-json.js";
import { forbiddenMessage } from "./status.js";

type OwnerRef = NonNullable<KubeObject["metadata"]["ownerReferences"]>[number] & { blockOwnerDeletion?: boolean };

const refsOf = (o: KubeObject | undefined): OwnerRef[] => (o?.metadata.ownerReferences ?? []) as OwnerRef[];

function changing(obj: KubeObject, old: KubeObject | undefined): boolean {
  const now = refsOf(obj);
  if (!old) return now.length > 0;
  const before = refsOf(old);
  return now.length !== before.length || now.some((r, i) => !sameJson(r, before[i]));
}

function newBlocking(obj: KubeObject, old: KubeObject | undefined): OwnerRef[] {
  const blocking = refsOf(obj).filter((r) => r.blockOwnerDeletion === true);
  if (!old) return blocking;
  const before = new Map(refsOf(old).map((r) => [r.uid, r]));
  return blocking.filter((r) => before.get(r.uid)?.blockOwnerDeletion !== true);
}

/** What the plugin needs from the server. */
export interface AdmissionContext {
  registry: TypeRegistry;
  rbac: RbacSource;
}

/**
 * The plugin's check for one write by `user` to `t` (`subresource` as requested). Call with the
 * object about to be stored and the stored one (undefined on create).
 * @throws ApiError 403 as the plugin refuses.
 */
export function ownerReferencesAdmission(ctx: AdmissionContext, user: UserInfo, t: ResourceType, subresource: string | undefined) {
  return (obj: KubeObject, old: KubeObject | undefined): void => {
    if (t.group === "" && t.plural === "pods" && subresource === "status") return;
    if (!changing(obj, old)) return;
    const name = obj.metadata.name ?? "";
    const namespace = t.namespaced ? obj.metadata.namespace : undefined;
    const allowed = (a: RequestAttributes) => authorize(user, a, ctx.rbac);
    if (old) {
      const del: RequestAttributes = { resourceRequest: true, verb: "delete", apiGroup: t.group, resource: t.plural, subresource, namespace, name };
      // The RBAC authorizer gives no reason for a denial and no error: ", <nil>".
      if (!allowed(del)) throw forbiddenMessage(t, name, "cannot set an ownerRef on a resource you can't delete: , <nil>");
    }
    const refs = newBlocking(obj, old);
    if (refs.length === 0) return;
    if (allowed({ resourceRequest: true, verb: "update", apiGroup: "*", resource: "*", subresource: "finalizers", name: "*" })) return;
    for (const ref of refs) {
      const [group, version] = (ref.apiVersion ?? "").includes("/") ? (ref.apiVersion ?? "").split("/", 2) : ["", ref.apiVersion ?? ""];
      const owner = ctx.registry.all().find((x) => x.group === group && x.version === version && x.kind === ref.kind);
      if (!owner) {
        throw forbiddenMessage(t, name, `cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion ${ref.apiVersion ?? ""} Kind ${ref.kind ?? ""}: no matches for kind "${ref.kind ?? ""}" in version "${ref.apiVersion ?? ""}"`);
      }
      const a: RequestAttributes = {
        resourceRequest: true, verb: "update", apiGroup: owner.group, resource: owner.plural, subresource: "finalizers", name: ref.name,
        namespace: owner.namespaced ? namespace : undefined,
      };
      if (!allowed(a)) throw forbiddenMessage(t, name, "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>");
    }
  };
}
