/**
 * Decoding of the protobuf request bodies kubectl 1.32's typed generators send (`kubectl create
 * namespace|secret generic|serviceaccount|clusterrole|clusterrolebinding|role|rolebinding|
 * configmap|deployment|token`): the "k8s\0" magic, a runtime.Unknown envelope, then the object message.
 * Field numbers: kubernetes/api and apimachinery generated.proto, as recorded in
 * shared/reference/kubectl-requests.md §0.4. Hand-written wire decoding: varints and
 * length-delimited fields are all these messages use.
 */
import { InputError } from "../../../src/errors.js";

/** True for `application/vnd.kubernetes.protobuf` bodies. */
export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? "").startsWith("application/vnd.kubernetes.protobuf");
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Scalar = "string" | "bytes" | "int" | "bool";
/** How one field decodes. `keepZero` marks Go pointer fields, whose zero values are real. */
type Field =
  | { name: string; type: Scalar; repeated?: boolean; keepZero?: boolean }
  | { name: string; type: "time" }
  | { name: string; type: "map"; value: "string" | "bytes" }
  | { name: string; type: "message"; of: Spec; repeated?: boolean; dropEmpty?: boolean };
type Spec = Record<number, Field>;

const s = (name: string, repeated = false): Field => ({ name, type: "string", repeated });
const msg = (name: string, of: Spec, repeated = false): Field => ({ name, type: "message", of, repeated });

const OWNER_REFERENCE: Spec = {
  1: s("kind"), 3: s("name"), 4: s("uid"), 5: s("apiVersion"),
  6: { name: "controller", type: "bool", keepZero: true },
  7: { name: "blockOwnerDeletion", type: "bool", keepZero: true },
};
const OBJECT_META: Spec = {
  1: s("name"), 2: s("generateName"), 3: s("namespace"), 4: s("selfLink"), 5: s("uid"), 6: s("resourceVersion"),
  7: { name: "generation", type: "int" },
  8: { name: "creationTimestamp", type: "time" },
  9: { name: "deletionTimestamp", type: "time" },
  10: { name: "deletionGracePeriodSeconds", type: "int", keepZero: true },
  11: { name: "labels", type: "map", value: "string" },
  12: { name: "annotations", type: "map", value: "string" },
  13: msg("ownerReferences", OWNER_REFERENCE, true),
  14: s("finalizers", true),
};
const META: Field = msg("metadata", OBJECT_META);
const OBJECT_REFERENCE: Spec = { 1: s("kind"), 2: s("namespace"), 3: s("name"), 4: s("uid"), 5: s("apiVersion"), 6: s("resourceVersion"), 7: s("fieldPath") };
const POLICY_RULE: Spec = { 1: s("verbs", true), 2: s("apiGroups", true), 3: s("resources", true), 4: s("resourceNames", true), 5: s("nonResourceURLs", true) };
const LABEL_SELECTOR: Spec = {
  1: { name: "matchLabels", type: "map", value: "string" },
  2: msg("matchExpressions", { 1: s("key"), 2: s("operator"), 3: s("values", true) }, true),
};
const BINDING: Spec = {
  1: META,
  2: msg("subjects", { 1: s("kind"), 2: s("apiGroup"), 3: s("name"), 4: s("namespace") }, true),
  3: msg("roleRef", { 1: s("apiGroup"), 2: s("kind"), 3: s("name") }),
};
const ROLE: Spec = { 1: META, 2: msg("rules", POLICY_RULE, true) };

const CONTAINER: Spec = {
  1: s("name"), 2: s("image"), 3: s("command", true), 4: s("args", true), 5: s("workingDir"),
  6: msg("ports", { 1: s("name"), 2: { name: "hostPort", type: "int" }, 3: { name: "containerPort", type: "int" }, 4: s("protocol"), 5: s("hostIP") }, true),
  7: msg("env", { 1: s("name"), 2: s("value") }, true),
  8: msg("resources", {}),
  13: s("terminationMessagePath"), 14: s("imagePullPolicy"),
  16: { name: "stdin", type: "bool" }, 17: { name: "stdinOnce", type: "bool" }, 18: { name: "tty", type: "bool" },
  20: s("terminationMessagePolicy"),
};
/**
 * The part of PodSpec `kubectl create deployment` fills in (containers with image, command and
 * ports); other fields of a protobuf PodSpec are skipped, as that generator never sends them.
 */
const POD_SPEC: Spec = {
  2: msg("containers", CONTAINER, true), 20: msg("initContainers", CONTAINER, true),
  3: s("restartPolicy"), 4: { name: "terminationGracePeriodSeconds", type: "int", keepZero: true }, 6: s("dnsPolicy"),
  7: { name: "nodeSelector", type: "map", value: "string" }, 8: s("serviceAccountName"), 9: s("serviceAccount"), 10: s("nodeName"),
  11: { name: "hostNetwork", type: "bool" }, 12: { name: "hostPID", type: "bool" }, 13: { name: "hostIPC", type: "bool" },
  16: s("hostname"), 17: s("subdomain"), 19: s("schedulerName"), 24: s("priorityClassName"),
};

const RESOURCE_ATTRIBUTES: Field = msg("resourceAttributes", { 1: s("namespace"), 2: s("verb"), 3: s("group"), 4: s("version"), 5: s("resource"), 6: s("subresource"), 7: s("name") });
const NON_RESOURCE_ATTRIBUTES: Field = msg("nonResourceAttributes", { 1: s("path"), 2: s("verb") });
/** A status the client never fills in: decoded only to be dropped. */
const EMPTY_STATUS: Field = { name: "status", type: "message", of: {}, dropEmpty: true };

/** Object messages by `apiVersion/kind`. */
const KINDS: Record<string, Spec> = {
  "v1/Namespace": {
    1: META,
    2: msg("spec", { 1: s("finalizers", true) }),
    3: { name: "status", type: "message", of: { 1: s("phase") }, dropEmpty: true },
  },
  "v1/Secret": {
    1: META,
    2: { name: "data", type: "map", value: "bytes" },
    3: s("type"),
    4: { name: "stringData", type: "map", value: "string" },
    5: { name: "immutable", type: "bool", keepZero: true },
  },
  "v1/ConfigMap": {
    1: META,
    2: { name: "data", type: "map", value: "string" },
    3: { name: "binaryData", type: "map", value: "bytes" },
    4: { name: "immutable", type: "bool", keepZero: true },
  },
  "v1/ServiceAccount": {
    1: META,
    2: msg("secrets", OBJECT_REFERENCE, true),
    3: msg("imagePullSecrets", { 1: s("name") }, true),
    4: { name: "automountServiceAccountToken", type: "bool", keepZero: true },
  },
  "rbac.authorization.k8s.io/v1/ClusterRole": { ...ROLE, 3: msg("aggregationRule", { 1: msg("clusterRoleSelectors", LABEL_SELECTOR, true) }) },
  "rbac.authorization.k8s.io/v1/Role": ROLE,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": BINDING,
  "rbac.authorization.k8s.io/v1/RoleBinding": BINDING,
  "apps/v1/Deployment": {
    1: META,
    2: msg("spec", {
      1: { name: "replicas", type: "int", keepZero: true },
      2: msg("selector", LABEL_SELECTOR),
      3: msg("template", { 1: META, 2: msg("spec", POD_SPEC) }),
      4: msg("strategy", { 1: s("type") }),
      5: { name: "minReadySeconds", type: "int" },
      6: { name: "revisionHistoryLimit", type: "int", keepZero: true },
      7: { name: "paused", type: "bool" },
      9: { name: "progressDeadlineSeconds", type: "int", keepZero: true },
    }),
    3: { name: "status", type: "message", of: { 1: { name: "observedGeneration", type: "int" }, 2: { name: "replicas", type: "int" } }, dropEmpty: true },
  },
  // `kubectl auth can-i` / `kubectl auth whoami` (k8s.io/api authorization/v1 and
  // authentication/v1 generated.proto; ResourceAttributes 1 namespace … 7 name).
  "authorization.k8s.io/v1/SelfSubjectAccessReview": { 1: META, 2: msg("spec", { 1: RESOURCE_ATTRIBUTES, 2: NON_RESOURCE_ATTRIBUTES }), 3: EMPTY_STATUS },
  "authentication.k8s.io/v1/SelfSubjectReview": { 1: META, 2: EMPTY_STATUS },
  "authentication.k8s.io/v1/TokenRequest": {
    1: META,
    2: msg("spec", {
      1: s("audiences", true),
      3: msg("boundObjectRef", { 1: s("kind"), 2: s("apiVersion"), 3: s("name"), 4: s("uid") }),
      4: { name: "expirationSeconds", type: "int", keepZero: true },
    }),
  },
};

function malformed(where: string): InputError {
  return new InputError(`protobuf body could not be decoded: ${where} (send a body as kubectl's typed clients encode it)`, { code: "InvalidProtobuf" });
}

/** A cursor over protobuf wire data. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(where: string): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw malformed(`truncated varint in ${where}`);
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw malformed(`varint too long in ${where}`);
  }
  bytes(where: string): Buffer {
    const len = Number(this.varint(where));
    if (this.pos + len > this.buf.length) throw malformed(`length past the end in ${where}`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wireType: number, where: string): void {
    if (wireType === 0) this.varint(where);
    else if (wireType === 2) this.bytes(where);
    else if (wireType === 1 || wireType === 5) {
      this.pos += wireType === 1 ? 8 : 4;
      if (this.pos > this.buf.length) throw malformed(`truncated fixed field in ${where}`);
    } else throw malformed(`unsupported wire type ${wireType} in ${where}`);
  }
}

function decodeTime(buf: Buffer, where: string): string | undefined {
  const r = new Reader(buf);
  let seconds = 0n;
  let nanos = 0n;
  while (!r.done()) {
    const tag = Number(r.varint(where));
    if (tag >>> 3 === 1 && (tag & 7) === 0) seconds = BigInt.asIntN(64, r.varint(where));
    else if (tag >>> 3 === 2 && (tag & 7) === 0) nanos = BigInt.asIntN(64, r.varint(where));
    else r.skip(tag & 7, where);
  }
  if (seconds === 0n && nanos === 0n) return undefined;
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function decodeMapEntry(buf: Buffer, value: "string" | "bytes", where: string): [string, string] {
  const r = new Reader(buf);
  let k = "";
  let v = "";
  while (!r.done()) {
    const tag = Number(r.varint(where));
    const wire = tag & 7;
    if (wire !== 2) {
      r.skip(wire, where);
      continue;
    }
    const b = r.bytes(where);
    if (tag >>> 3 === 1) k = b.toString("utf8");
    else if (tag >>> 3 === 2) v = value === "bytes" ? b.toString("base64") : b.toString("utf8");
  }
  return [k, v];
}

function isEmpty(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;
}

function decodeScalar(r: Reader, f: Extract<Field, { type: Scalar }>, wire: number, where: string): unknown {
  if (f.type === "string" || f.type === "bytes") {
    if (wire !== 2) throw malformed(`${where} has wire type ${wire}, expected 2`);
    const b = r.bytes(where);
    return f.type === "string" ? b.toString("utf8") : b.toString("base64");
  }
  if (wire !== 0) throw malformed(`${where} has wire type ${wire}, expected 0`);
  const v = r.varint(where);
  return f.type === "bool" ? v !== 0n : Number(BigInt.asIntN(64, v));
}

function decodeMessage(buf: Buffer, spec: Spec, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (!r.done()) {
    const tag = Number(r.varint(where));
    const wire = tag & 7;
    const f = spec[tag >>> 3];
    if (f === undefined) {
      r.skip(wire, where);
      continue;
    }
    const at = `${where}.${f.name}`;
    if (f.type === "map" || f.type === "time" || f.type === "message") {
      if (wire !== 2) throw malformed(`${at} has wire type ${wire}, expected 2`);
      const b = r.bytes(at);
      if (f.type === "map") {
        const [k, v] = decodeMapEntry(b, f.value, at);
        out[f.name] = { ...(out[f.name] as Record<string, string> | undefined), [k]: v };
      } else if (f.type === "time") {
        const t = decodeTime(b, at);
        if (t !== undefined) out[f.name] = t;
      } else {
        const m = decodeMessage(b, f.of, at);
        if (f.repeated) out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), m];
        else if (!(f.dropEmpty && isEmpty(m))) out[f.name] = m;
      }
      continue;
    }
    const v = decodeScalar(r, f, wire, at);
    if (f.repeated) out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), v];
    else if (f.keepZero || (v !== "" && v !== 0 && v !== false)) out[f.name] = v;
  }
  return out;
}

/**
 * Decodes a "k8s\0"-prefixed runtime.Unknown body (Namespace, Secret, ConfigMap, ServiceAccount,
 * Role, ClusterRole, RoleBinding, ClusterRoleBinding, Deployment, TokenRequest as kubectl create
 * sends them; SelfSubjectAccessReview and SelfSubjectReview as kubectl auth can-i / whoami do)
 * into its JSON object form, dropping the empty/zero scalars the Go encoder always writes
 * (pointer fields such as `immutable` keep an explicit false).
 * @throws InputError (code InvalidProtobuf) naming the unsupported kind or the malformed field.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed('the body does not start with "k8s\\0"');
  const unknown = new Reader(body.subarray(MAGIC.length));
  let apiVersion = "";
  let kind = "";
  let raw: Buffer | undefined;
  while (!unknown.done()) {
    const tag = Number(unknown.varint("runtime.Unknown"));
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === 2) {
      const tm = decodeMessage(unknown.bytes("typeMeta"), { 1: s("apiVersion"), 2: s("kind") }, "typeMeta");
      apiVersion = String(tm["apiVersion"] ?? "");
      kind = String(tm["kind"] ?? "");
    } else if (tag >>> 3 === 2 && wire === 2) raw = unknown.bytes("raw");
    else unknown.skip(wire, "runtime.Unknown");
  }
  const spec = KINDS[`${apiVersion}/${kind}`];
  if (spec === undefined) {
    throw new InputError(`protobuf body could not be decoded: kind "${kind}" in "${apiVersion}" is not supported by the test server (send it as application/json)`, {
      code: "InvalidProtobuf",
    });
  }
  return { apiVersion, kind, ...decodeMessage(raw ?? Buffer.alloc(0), spec, kind) };
}
