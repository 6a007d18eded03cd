import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { describeFinding, findPlaintextSecrets } from "../../src/check/plaintext-secrets.js";
import { InputError } from "../../src/errors.js";

const CANARY = "canary-check-Vb7t";

describe("findPlaintextSecrets", () => {
  const table: Array<{ name: string; text: string; expect: Array<{ document: number; item?: number; name?: string; namespace?: string; keys: string[] }> }> = [
    {
      name: "multi-document YAML: only the Secret with values",
      text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "${CANARY}"}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\ndata: {token: Y2FuYXJ5}\nstringData: {password: "${CANARY}", token: x, blank: ""}\n`,
      expect: [{ document: 2, name: "db", namespace: "prod", keys: ["token", "password"] }],
    },
    {
      name: "JSON",
      text: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "j" }, stringData: { k: CANARY } }),
      expect: [{ document: 0, name: "j", keys: ["k"] }],
    },
    {
      name: "kind: List items (kubectl get -o yaml)",
      text: `apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b, namespace: n}, data: {k: dg==}}\n`,
      expect: [{ document: 0, item: 1, name: "b", namespace: "n", keys: ["k"] }],
    },
    {
      name: "empty data, empty stringData, null values and no data are clean",
      text: `kind: Secret\napiVersion: v1\nmetadata: {name: a}\ndata: {}\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: b}\nstringData: {x: "", y: null}\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: c}\ntype: kubernetes.io/service-account-token\n`,
      expect: [],
    },
    {
      name: "SealedSecret and AgeSecret are not plaintext",
      text: `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nspec: {encryptedData: {k: AgBy}}\n---\napiVersion: sealbridge.io/v1alpha1\nkind: AgeSecret\nmetadata: {name: s}\nspec: {encryptedData: {k: "-----BEGIN AGE ENCRYPTED FILE-----"}, template: {data: {k: v}}}\n`,
      expect: [],
    },
    {
      name: "a Secret of another API group is not a core Secret",
      text: `apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: x}\ndata: {k: v}\n`,
      expect: [],
    },
    {
      name: "no apiVersion still counts (kubectl would default it)",
      text: `kind: Secret\nstringData: {k: "${CANARY}"}\n`,
      expect: [{ document: 0, keys: ["k"] }],
    },
    { name: "text without the word Secret is not even parsed", text: `{ this is: [not valid`, expect: [] },
  ];
  for (const row of table) {
    test(row.name, () => {
      assert.deepEqual(findPlaintextSecrets(row.text, "f.yaml"), row.expect);
    });
  }

  test("invalid YAML is an InputError naming the file and document", () => {
    assert.throws(() => findPlaintextSecrets(`kind: ConfigMap\n---\nkind: Secret\ndata: [\n`, "bad.yaml"), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /^invalid YAML: bad\.yaml, document 1/);
      return true;
    });
  });

  test("alias bombs are refused as input, not crashes", () => {
    const bomb = `kind: Secret\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`;
    assert.throws(() => findPlaintextSecrets(bomb, "bomb.yaml"), InputError);
  });
});

describe("describeFinding", () => {
  test("names file, document, Secret and keys, and the fix", () => {
    assert.equal(
      describeFinding("k8s/db.yaml", { document: 2, name: "db", namespace: "prod", keys: ["password", "token"] }),
      "k8s/db.yaml:doc 2: Secret prod/db has plaintext keys password, token → run: sealbridge seal -f k8s/db.yaml -w",
    );
    assert.equal(
      describeFinding("my dir/l.json", { document: 0, item: 3, keys: ["k"] }),
      "my dir/l.json:doc 0 item 3: Secret (unnamed) has plaintext key k → run: sealbridge seal -f 'my dir/l.json' -w",
    );
  });

  test("keys cannot forge extra output lines", () => {
    const line = describeFinding("f.yaml", { document: 0, name: "x", keys: ["a\nf.yaml:doc 9: fake"] });
    assert.ok(!line.includes("\n"));
    assert.match(line, /"a\\nf\.yaml:doc 9: fake"/);
  });
});
