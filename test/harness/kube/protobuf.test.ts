// Decoding kubectl's protobuf create bodies. Vectors: real request bodies captured from this
// machine's kubectl 1.32.4 (kubectl-protobuf-vectors.json); field numbers and the empty-scalar
// pitfall from shared/reference/kubectl-requests.md §0.4.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeProtobufObject, isProtobuf } from "./protobuf.js";

const vectors = JSON.parse(readFileSync(new URL("./kubectl-protobuf-vectors.json", import.meta.url), "utf8")) as { commands: Record<string, string> };

function decode(command: string): Record<string, unknown> {
  const hex = vectors.commands[command];
  assert.ok(hex !== undefined, `vector for ${command}`);
  return decodeProtobufObject(Buffer.from(hex, "hex"));
}

/** Minimal protobuf writer for malformed and edge-case bodies. */
function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Buffer.from(out);
}
function field(num: number, value: Buffer | bigint): Buffer {
  if (typeof value === "bigint") return Buffer.concat([varint(BigInt(num << 3)), varint(value)]);
  return Buffer.concat([varint(BigInt((num << 3) | 2)), varint(BigInt(value.length)), value]);
}
function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([field(1, Buffer.from(apiVersion)), field(2, Buffer.from(kind))]);
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), field(1, typeMeta), field(2, raw), field(3, Buffer.alloc(0)), field(4, Buffer.alloc(0))]);
}

describe("isProtobuf", () => {
  // https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding
  test("recognises the kubernetes protobuf content type only", () => {
    assert.equal(isProtobuf("application/vnd.kubernetes.protobuf"), true);
    assert.equal(isProtobuf("application/vnd.kubernetes.protobuf;stream=watch"), true);
    assert.equal(isProtobuf("application/json"), false);
    assert.equal(isProtobuf(undefined), false);
  });
});

describe("decodeProtobufObject on real kubectl bodies", () => {
  // https://github.com/kubernetes/api/blob/master/core/v1/generated.proto
  test("create namespace: empty scalars and epoch timestamp dropped, empty status dropped", () => {
    assert.deepEqual(decode("kubectl create namespace demo"), { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" }, spec: {} });
  });

  // https://github.com/kubernetes/api/blob/master/core/v1/generated.proto
  test("create secret generic: data as base64 (empty value kept), type", () => {
    assert.deepEqual(decode("kubectl create secret generic s1 --from-literal=a=b --from-literal=empty= --type=example.com/t"), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s1" },
      data: { a: "Yg==", empty: "" },
      type: "example.com/t",
    });
  });

  // https://github.com/kubernetes/api/blob/master/core/v1/generated.proto
  test("create serviceaccount", () => {
    assert.deepEqual(decode("kubectl create serviceaccount sa1"), { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa1" } });
  });

  // https://github.com/kubernetes/api/blob/master/rbac/v1/generated.proto
  test("create clusterrole: rules with repeated strings", () => {
    assert.deepEqual(decode("kubectl create clusterrole tokenreviewer --verb=create --resource=tokenreviews.authentication.k8s.io"), {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "tokenreviewer" },
      rules: [{ verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"] }],
    });
  });

  // https://github.com/kubernetes/api/blob/master/rbac/v1/generated.proto
  test("create clusterrole --aggregation-rule: nested label selector map", () => {
    assert.deepEqual(decode("kubectl create clusterrole agg --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true"), {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "agg" },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } }] },
    });
  });

  // https://github.com/kubernetes/api/blob/master/rbac/v1/generated.proto
  test("create clusterrolebinding: subjects of three kinds and roleRef", () => {
    const crb = decode("kubectl create clusterrolebinding tokenreviewer-b --clusterrole=tokenreviewer --serviceaccount=demo:sa1 --user=alice --group=devs");
    assert.deepEqual(crb["subjects"], [
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "devs" },
      { kind: "ServiceAccount", name: "sa1", namespace: "demo" },
    ]);
    assert.deepEqual(crb["roleRef"], { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "tokenreviewer" });
  });

  // https://github.com/kubernetes/api/blob/master/rbac/v1/generated.proto
  test("create role keeps the core group's empty apiGroups entry", () => {
    assert.deepEqual(decode("kubectl create role r1 --verb=get,list --resource=secrets --resource-name=s1")["rules"], [
      { verbs: ["get", "list"], apiGroups: [""], resources: ["secrets"], resourceNames: ["s1"] },
    ]);
  });

  // https://github.com/kubernetes/api/blob/master/authentication/v1/generated.proto
  test("create rolebinding, configmap and token", () => {
    assert.deepEqual(decode("kubectl create rolebinding rb1 --role=r1 --serviceaccount=demo:sa1")["roleRef"], { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r1" });
    assert.deepEqual(decode("kubectl create configmap cm1 --from-literal=k=v"), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm1" }, data: { k: "v" } });
    assert.deepEqual(decode("kubectl create token sa1 --audience=vault --duration=10m"), {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: {},
      spec: { audiences: ["vault"], expirationSeconds: 600 },
    });
  });
});

describe("decodeProtobufObject on kubectl create deployment", () => {
  // https://github.com/kubernetes/api/blob/master/apps/v1/generated.proto
  test("replicas, selector, template labels, containers with image and ports; empty status dropped", () => {
    assert.deepEqual(decode("kubectl create deployment web --image=nginx:1.27 --image=busybox --replicas=3 --port=8080"), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 8080 }], resources: {} }, { name: "busybox", image: "busybox", resources: {} }] },
        },
        strategy: {},
      },
    });
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_create/kubectl_create_deployment/
  test("a command after -- becomes the container's command", () => {
    const d = decode("kubectl create deployment cmd --image=busybox -- sleep 3600");
    assert.deepEqual((d["spec"] as any).template.spec.containers, [{ name: "busybox", image: "busybox", command: ["sleep", "3600"], resources: {} }]);
    assert.equal((d["spec"] as any).replicas, 1);
  });
});

describe("decodeProtobufObject edge cases", () => {
  // https://github.com/kubernetes/apimachinery/blob/master/pkg/apis/meta/v1/generated.proto
  test("pointer booleans keep an explicit false; timestamps, labels, owner references decode", () => {
    const time = Buffer.concat([field(1, 1_700_000_000n)]);
    const owner = Buffer.concat([field(1, Buffer.from("Widget")), field(3, Buffer.from("w1")), field(4, Buffer.from("u-1")), field(5, Buffer.from("example.test/v1")), field(6, 1n)]);
    const label = Buffer.concat([field(1, Buffer.from("app")), field(2, Buffer.from("demo"))]);
    const meta = Buffer.concat([field(1, Buffer.from("s")), field(7, 0n), field(8, time), field(11, label), field(13, owner), field(14, Buffer.from("f1"))]);
    const raw = Buffer.concat([field(1, meta), field(5, 0n), field(99, Buffer.from("future field"))]);
    assert.deepEqual(decodeProtobufObject(envelope("v1", "Secret", raw)), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "s",
        creationTimestamp: "2023-11-14T22:13:20Z",
        labels: { app: "demo" },
        ownerReferences: [{ kind: "Widget", name: "w1", uid: "u-1", apiVersion: "example.test/v1", controller: true }],
        finalizers: ["f1"],
      },
      immutable: false,
    });
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding
  test("rejects a body without the k8s magic, a truncated body and an unsupported kind", () => {
    assert.throws(() => decodeProtobufObject(Buffer.from("{}")), /does not start with/);
    const good = Buffer.from(vectors.commands["kubectl create serviceaccount sa1"] ?? "", "hex");
    assert.throws(() => decodeProtobufObject(good.subarray(0, good.length - 3)), /protobuf body could not be decoded/);
    assert.throws(() => decodeProtobufObject(envelope("batch/v1", "Job", Buffer.alloc(0))), /kind "Job" in "batch\/v1" is not supported/);
  });
});
