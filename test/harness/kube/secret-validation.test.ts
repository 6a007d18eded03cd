// Conformance: per-type Secret validation, the 1 MiB Secret/ConfigMap limit and the 256 KiB
// annotation limit, with kube-apiserver's 422 texts (k8s.io/kubernetes v1.37.2
// pkg/apis/core/validation ValidateSecret/ValidateConfigMap, apimachinery ValidateAnnotations;
// https://kubernetes.io/docs/concepts/configuration/secret/#secret-types). No message carries a
// Secret's content.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { goJsonMapError } from "./go-json.js";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

describe("Go's json.Unmarshal errors into map[string]interface{}", () => {
  test("known inputs give Go's texts", () => {
    const cases: Array<[string, string | undefined]> = [
      ['{"auths":{}}', undefined],
      ["null", undefined],
      ["", "unexpected end of JSON input"],
      ['{"auths":', "unexpected end of JSON input"],
      ["not json", "invalid character 'o' in literal null (expecting 'u')"],
      ["hello", "invalid character 'h' looking for beginning of value"],
      ["{auths: 1}", "invalid character 'a' looking for beginning of object key string"],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
      ["[1 2]", "invalid character '2' after array element"],
      ["{} x", "invalid character 'x' after top-level value"],
      ["{\"a\":\"\t\"}", "invalid character '\\t' in string literal"],
      ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
      ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
      ['{"a":-x}', "invalid character 'x' in numeric literal"],
      ["[]", "json: cannot unmarshal array into Go value of type map[string]interface {}"],
      ['"s"', "json: cannot unmarshal string into Go value of type map[string]interface {}"],
      ["12", "json: cannot unmarshal number into Go value of type map[string]interface {}"],
      ["true", "json: cannot unmarshal bool into Go value of type map[string]interface {}"],
    ];
    for (const [input, want] of cases) assert.equal(goJsonMapError(Buffer.from(input)), want, input);
  });
  test("property: JSON objects pass, other JSON values are type errors, non-JSON is a syntax error", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => goJsonMapError(Buffer.from(JSON.stringify(o))) === undefined));
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.jsonValue()), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), (v) =>
        (goJsonMapError(Buffer.from(JSON.stringify(v))) ?? "").startsWith("json: cannot unmarshal "),
      ),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        let valid = true;
        try {
          JSON.parse(s);
        } catch {
          valid = false;
        }
        const err = goJsonMapError(Buffer.from(s));
        return valid || (err !== undefined && (err.startsWith("invalid character ") || err === "unexpected end of JSON input"));
      }),
    );
  });
});

describe("Secret validation by type and size", () => {
  let server: KubeTestServer;
  let t: Target;
  const ns = "/api/v1/namespaces/default";
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
  });
  after(() => server.stop());

  async function refused(path: string, body: Record<string, unknown>): Promise<{ message: string; causes: Array<{ field: string; reason: string }> }> {
    const r = await send(t, "POST", `${ns}/${path}`, body);
    assert.equal(r.status, 422, JSON.stringify(r.json));
    assert.equal(r.json.reason, "Invalid");
    return { message: String(r.json.message), causes: r.json.details.causes };
  }
  async function accepted(path: string, body: Record<string, unknown>): Promise<void> {
    const r = await send(t, "POST", `${ns}/${path}`, body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  const secret = (name: string, type: string, data: Record<string, string>, extra: Record<string, unknown> = {}) => ({ metadata: { name }, type, data, ...extra });

  test("kubernetes.io/dockerconfigjson: the key is required and must hold a JSON object; the content never shows", async () => {
    const canary = "CANARY-dockercfg-5f1e";
    const bad = await refused("secrets", secret("d1", "kubernetes.io/dockerconfigjson", { ".dockerconfigjson": b64(`{"auths": ${canary}}`) }));
    assert.equal(bad.message, `Secret "d1" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'C' looking for beginning of value`);
    assert.ok(!bad.message.includes(canary));
    const arr = await refused("secrets", secret("d2", "kubernetes.io/dockerconfigjson", { ".dockerconfigjson": b64("[]") }));
    assert.equal(arr.message, `Secret "d2" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}`);
    const missing = await refused("secrets", secret("d3", "kubernetes.io/dockerconfigjson", { other: b64("{}") }));
    assert.equal(missing.message, `Secret "d3" is invalid: data[.dockerconfigjson]: Required value`);
    await accepted("secrets", secret("d4", "kubernetes.io/dockerconfigjson", { ".dockerconfigjson": b64('{"auths":{"r.example":{"auth":"eDp5"}}}') }));
    const cfg = await refused("secrets", secret("d5", "kubernetes.io/dockercfg", { ".dockercfg": b64("{") }));
    assert.equal(cfg.message, `Secret "d5" is invalid: data[.dockercfg]: Invalid value: "<secret contents redacted>": unexpected end of JSON input`);
  });

  test("kubernetes.io/basic-auth needs username or password (either may be empty)", async () => {
    const r = await refused("secrets", secret("b1", "kubernetes.io/basic-auth", { token: b64("x") }));
    assert.equal(r.message, 'Secret "b1" is invalid: [data[username]: Required value, data[password]: Required value]');
    await accepted("secrets", secret("b2", "kubernetes.io/basic-auth", { password: "" }));
    await accepted("secrets", { metadata: { name: "b3" }, type: "kubernetes.io/basic-auth", stringData: { username: "admin" } });
  });

  test("kubernetes.io/ssh-auth needs a non-empty ssh-privatekey; kubernetes.io/tls needs tls.crt and tls.key", async () => {
    assert.equal((await refused("secrets", secret("s1", "kubernetes.io/ssh-auth", { "ssh-privatekey": "" }))).message, 'Secret "s1" is invalid: data[ssh-privatekey]: Required value');
    await accepted("secrets", secret("s2", "kubernetes.io/ssh-auth", { "ssh-privatekey": b64("key") }));
    assert.equal((await refused("secrets", secret("t1", "kubernetes.io/tls", { "tls.crt": b64("c") }))).message, 'Secret "t1" is invalid: data[tls.key]: Required value');
    await accepted("secrets", secret("t2", "kubernetes.io/tls", { "tls.crt": "", "tls.key": "" }));
  });

  test("kubernetes.io/service-account-token needs the service-account.name annotation", async () => {
    const r = await refused("secrets", secret("sa1", "kubernetes.io/service-account-token", {}));
    assert.equal(r.message, 'Secret "sa1" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value');
  });

  test("an update is checked too: a tls Secret cannot lose its key", async () => {
    await accepted("secrets", secret("t3", "kubernetes.io/tls", { "tls.crt": b64("c"), "tls.key": b64("k") }));
    const r = await send(t, "PATCH", `${ns}/secrets/t3`, { data: { "tls.key": null } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(r.status, 422);
    assert.equal(r.json.message, 'Secret "t3" is invalid: data[tls.key]: Required value');
  });

  test("data may total 1 MiB, not a byte more (Secrets and ConfigMaps)", async () => {
    const MiB = 1024 * 1024;
    await accepted("secrets", secret("big", "Opaque", { a: b64(Buffer.alloc(MiB - 10, 1)), b: b64(Buffer.alloc(10, 2)) }));
    const r = await refused("secrets", secret("too-big", "Opaque", { a: b64(Buffer.alloc(MiB - 10, 1)), b: b64(Buffer.alloc(11, 2)) }));
    assert.equal(r.message, 'Secret "too-big" is invalid: data: Too long: may not be more than 1048576 bytes');
    assert.deepEqual(r.causes.map((c) => [c.field, c.reason]), [["data", "FieldValueTooLong"]]);
    await accepted("configmaps", { metadata: { name: "big" }, data: { a: "x".repeat(MiB - 1) }, binaryData: { b: b64("y") } });
    const c = await refused("configmaps", { metadata: { name: "too-big" }, data: { a: "x".repeat(MiB) }, binaryData: { b: b64("y") } });
    assert.equal(c.message, 'ConfigMap "too-big" is invalid: []: Too long: may not be more than 1048576 bytes');
  });

  test("annotations may total 256 KiB (keys and values), as kubectl's client-side apply annotation meets it", async () => {
    const limit = 256 * 1024;
    await accepted("configmaps", { metadata: { name: "ann-ok", annotations: { a: "x".repeat(limit - 1) } } });
    const r = await refused("configmaps", { metadata: { name: "ann-big", annotations: { a: "x".repeat(limit) } } });
    assert.equal(r.message, 'ConfigMap "ann-big" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes');
  });
});
