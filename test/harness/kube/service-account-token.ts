/**
 * What the token controller does to a `kubernetes.io/service-account-token` Secret
 * (https://kubernetes.io/docs/concepts/configuration/secret/#service-account-token-secrets):
 * fills `data.token` (a non-expiring legacy JWT), `data["ca.crt"]`, `data.namespace` and the
 * `kubernetes.io/service-account.uid` annotation. The real controller does it just after the
 * create; the test server does it as part of the create.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { TokenAuthority } from "./auth.js";
import type { ResourceType } from "./resource-types.js";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

/** The create hook for Semantics; `saUid` looks up an existing ServiceAccount's uid. */
export function serviceAccountTokenDefaults(
  tokens: TokenAuthority,
  caPem: string,
  saUid: (namespace: string, name: string) => string | undefined,
): (t: ResourceType, obj: KubeObject) => KubeObject {
  return (t, obj) => {
    if (t.group !== "" || t.plural !== "secrets" || obj["type"] !== "kubernetes.io/service-account-token") return obj;
    const ns = obj.metadata.namespace ?? "";
    const sa = obj.metadata.annotations?.["kubernetes.io/service-account.name"] ?? "";
    const uid = saUid(ns, sa);
    const data = { ...((obj["data"] as Record<string, string> | undefined) ?? {}) };
    if (uid === undefined || data["token"]) return obj;
    data["token"] = b64(tokens.issueLegacy(ns, obj.metadata.name ?? "", sa, uid));
    data["ca.crt"] = b64(caPem);
    data["namespace"] = b64(ns);
    return {
      ...obj,
      metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, "kubernetes.io/service-account.uid": uid } },
      data,
    };
  };
}
