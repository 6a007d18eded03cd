import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { renderTemplateValue } from "../../../src/controller/encrypted-secret/secret-template.js";

const values = new Map<string, Buffer>([
  ["user", Buffer.from("admin")],
  ["password", Buffer.from("hunter2")],
  ["with-dash", Buffer.from("d")],
  ["bin", Buffer.from([0, 255, 10])],
]);

describe("renderTemplateValue", () => {
  const ok: Array<[string, string, string]> = [
    ["literal only", "plain", "plain"],
    ["dot field", "{{ .user }}", "admin"],
    ["dot field no spaces", "{{.user}}", "admin"],
    ["index form", '{{ index . "with-dash" }}', "d"],
    ["mixed", "postgres://{{ .user }}:{{ index . \"password\" }}@db:5432", "postgres://admin:hunter2@db:5432"],
    ["trim markers", "a  {{- .user -}}  b", "aadminb"],
    ["multi-line", "[auth]\nuser = {{ .user }}\npass = {{ .password }}\n", "[auth]\nuser = admin\npass = hunter2\n"],
  ];
  for (const [name, template, want] of ok) {
    test(name, () => {
      const got = renderTemplateValue("k", template, values);
      assert.equal(got.ok, true);
      assert.equal(got.ok && got.value.toString("utf8"), want);
    });
  }

  test("binary values are kept byte for byte", () => {
    const got = renderTemplateValue("k", "x{{ .bin }}y", values);
    assert.ok(got.ok);
    assert.deepEqual([...got.value], [0x78, 0, 255, 10, 0x79]);
  });

  const bad: Array<[string, string, RegExp]> = [
    ["sprig function", "{{ .user | b64enc }}", /unsupported template action/],
    ["if block", "{{ if .user }}x{{ end }}", /unsupported template action/],
    ["unknown key", "{{ .nope }}", /"nope", which is not in encryptedData/],
    ["unterminated", "{{ .user", /unterminated/],
  ];
  for (const [name, template, want] of bad) {
    test(`rejects ${name}`, () => {
      const got = renderTemplateValue("conn", template, values);
      assert.equal(got.ok, false);
      assert.match(!got.ok ? got.message : "", want);
      assert.match(!got.ok ? got.message : "", /template data key "conn"/);
      assert.doesNotMatch(!got.ok ? got.message : "", /hunter2|admin/);
    });
  }
});
