import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { formatForPath } from "../../src/manifest/format.js";
import { formatObject, formatObjects, rewriteManifestText } from "../../src/seal/manifest-output.js";

describe("formatObject", () => {
  test("JSON by default with apiVersion, kind, metadata, spec first; YAML starts with ---", () => {
    const obj = { spec: { a: 1 }, metadata: { name: "x" }, kind: "K", apiVersion: "v" };
    assert.equal(formatObject(obj, "json"), '{\n  "apiVersion": "v",\n  "kind": "K",\n  "metadata": {\n    "name": "x"\n  },\n  "spec": {\n    "a": 1\n  }\n}\n');
    assert.equal(formatObject(obj, "yaml"), "---\napiVersion: v\nkind: K\nmetadata:\n  name: x\nspec:\n  a: 1\n");
    assert.equal(formatObjects([obj, obj], "yaml").match(/^---$/gm)?.length, 2);
  });

  test("long base64 values are not folded", () => {
    const long = "A".repeat(2000);
    assert.ok(formatObject({ v: long }, "yaml").includes(`v: ${long}\n`));
  });

  test("-w file extension picks the format", () => {
    assert.equal(formatForPath("x.yaml"), "yaml");
    assert.equal(formatForPath("x.YML"), "yaml");
    assert.equal(formatForPath("x.json"), "json");
    assert.equal(formatForPath("x.txt"), undefined);
  });
});

describe("rewriteManifestText", () => {
  const text = `# leading comment
apiVersion: v1
kind: ConfigMap   # odd spacing kept
data: {a: "1"}
---
# about the secret
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData:
  p: CANARY
---
kind: Other
list: [1,   2]
`;

  test("replaces only the chosen documents and keeps the others byte for byte", () => {
    const out = rewriteManifestText(text, "f.yaml", "yaml", (_value, index) => (index === 1 ? { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", spec: { encryptedData: { p: "AgB" } } } : undefined));
    assert.equal(out.replaced, 1);
    assert.ok(out.text.startsWith('# leading comment\napiVersion: v1\nkind: ConfigMap   # odd spacing kept\ndata: {a: "1"}\n---\n# about the secret\napiVersion: bitnami.com/v1alpha1\n'));
    assert.ok(out.text.endsWith("---\nkind: Other\nlist: [1,   2]\n"));
    assert.doesNotMatch(out.text, /CANARY/);
    assert.deepEqual(parse(out.text.split("---\n")[1] ?? ""), { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", spec: { encryptedData: { p: "AgB" } } });
  });

  test("no replacement returns the text unchanged; JSON files are rewritten as JSON", () => {
    assert.deepEqual(rewriteManifestText(text, "f.yaml", "yaml", () => undefined), { text, replaced: 0 });
    const json = rewriteManifestText('{"kind":"Secret","apiVersion":"v1"}', "f.json", "json", () => ({ kind: "SealedSecret", apiVersion: "bitnami.com/v1alpha1" }));
    assert.equal(json.text, '{\n  "apiVersion": "bitnami.com/v1alpha1",\n  "kind": "SealedSecret"\n}\n');
  });

  test("a document starting on its --- line still gives valid YAML", () => {
    const out = rewriteManifestText("a: 1\n--- {kind: Secret, stringData: {p: CANARY}}\n", "f.yaml", "yaml", (_v, i) => (i === 1 ? { kind: "SealedSecret", spec: { x: 1 } } : undefined));
    assert.equal(out.text, "a: 1\n--- \nkind: SealedSecret\nspec:\n  x: 1\n");
    assert.deepEqual(parseAllDocuments(out.text).map((d) => d.toJS() as unknown), [{ a: 1 }, { kind: "SealedSecret", spec: { x: 1 } }]);
  });

  test("invalid YAML is an InputError naming file and document", () => {
    assert.throws(() => rewriteManifestText("a: 1\n---\nb: [\n", "bad.yaml", "yaml", () => undefined), /invalid YAML: bad\.yaml, document 1/);
  });
});
