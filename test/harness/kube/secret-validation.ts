/**
 * Per-type Secret validation and the size limits of Secrets and ConfigMaps, as ValidateSecret and
 * ValidateConfigMap do it (k8s.io/kubernetes v1.37.2 pkg/apis/core/validation/validation.go):
 * data at most 1 MiB in total; dockercfg/dockerconfigjson need their key holding a JSON object
 * (Go's json error text), basic-auth needs username or password, ssh-auth a non-empty
 * ssh-privatekey, tls both tls.crt and tls.key, service-account-token the service-account.name
 * annotation. Secret contents never appear in a message.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import { goJsonMapError } from "./go-json.js";
import { invalidValue, required, type Cause } from "./status.js";

/** core.MaxSecretSize (also the ConfigMap limit). */
export const MAX_SECRET_SIZE = 1024 * 1024;

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function tooLong(field: string, max: number): Cause {
  return { reason: "FieldValueTooLong", field, message: `Too long: may not be more than ${max} bytes` };
}

/** Size and type rules of a Secret whose `data` is already base64 (normalizeSecret). */
export function validateSecretContent(obj: KubeObject): Cause[] {
  const causes: Cause[] = [];
  const data = record(obj["data"]);
  const bytes = (k: string): Buffer | undefined => (typeof data[k] === "string" ? Buffer.from(data[k] as string, "base64") : undefined);
  let total = 0;
  for (const k of Object.keys(data)) total += bytes(k)?.length ?? 0;
  if (total > MAX_SECRET_SIZE) causes.push(tooLong("data", MAX_SECRET_SIZE));
  const json = (key: string) => {
    const b = bytes(key);
    if (b === undefined) {
      causes.push(required(`data[${key}]`));
      return;
    }
    const err = goJsonMapError(b);
    if (err !== undefined) causes.push(invalidValue(`data[${key}]`, "<secret contents redacted>", err));
  };
  switch (obj["type"]) {
    case "kubernetes.io/service-account-token":
      if (!obj.metadata.annotations?.["kubernetes.io/service-account.name"]) causes.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
      break;
    case "kubernetes.io/dockercfg":
      json(".dockercfg");
      break;
    case "kubernetes.io/dockerconfigjson":
      json(".dockerconfigjson");
      break;
    case "kubernetes.io/basic-auth":
      if (!("username" in data) && !("password" in data)) causes.push(required("data[username]"), required("data[password]"));
      break;
    case "kubernetes.io/ssh-auth":
      if ((bytes("ssh-privatekey")?.length ?? 0) === 0) causes.push(required("data[ssh-privatekey]"));
      break;
    case "kubernetes.io/tls":
      for (const k of ["tls.crt", "tls.key"]) if (!(k in data)) causes.push(required(`data[${k}]`));
      break;
    default:
  }
  return causes;
}

/** ValidateConfigMap's limit: data (UTF-8 bytes) plus binaryData (decoded) at most 1 MiB. */
export function validateConfigMapSize(obj: KubeObject): Cause[] {
  let total = 0;
  for (const v of Object.values(record(obj["data"]))) total += Buffer.byteLength(String(v), "utf8");
  for (const v of Object.values(record(obj["binaryData"]))) total += Buffer.from(String(v), "base64").length;
  // field.NewPath("") prints as "[]".
  return total > MAX_SECRET_SIZE ? [tooLong("[]", MAX_SECRET_SIZE)] : [];
}
