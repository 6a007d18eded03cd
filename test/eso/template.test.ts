import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { renderTemplate, TemplateError } from "../../src/eso/template.js";

const values = new Map([
  ["user", "admin"],
  ["password", "Pa55-canary"],
  ["dburl", "postgres://db:5432/app"],
  ["service-account-token", "tok"],
  ["b64", Buffer.from("hello").toString("base64")],
  ["padded", "  x  "],
  ["empty", ""],
]);

describe("renderTemplate", () => {
  const cases: Array<[string, string]> = [
    ["{{ .user }}", "admin"],
    ["user={{.user}} pass={{ .password }}", "user=admin pass=Pa55-canary"],
    ['{{ .dburl | replace "postgres://" "postgresql://" }}', "postgresql://db:5432/app"],
    ['{{ index . "service-account-token" }}', "tok"],
    ["{{ .user | upper }}", "ADMIN"],
    ["{{ .user | toString | upper | lower }}", "admin"],
    ["{{ .b64 | b64dec }}", "hello"],
    ["{{ .user | b64enc }}", "YWRtaW4="],
    ["{{ .padded | trim }}", "x"],
    ["{{ .user | quote }}", '"admin"'],
    ["{{ .user | squote }}", "'admin'"],
    ['{{ .empty | default "fallback" }}', "fallback"],
    ['{{ .dburl | trimPrefix "postgres://" }}', "db:5432/app"],
    ['{{ upper (index . "service-account-token") }}', "TOK"],
    ["a:\n  {{- .user }}", "a:admin"],
    ["{{ .user -}}\n  b", "adminb"],
    ["k: {{ .user | nindent 2 }}", "k: \n  admin"],
    ["{{/* a comment */}}x", "x"],
    ["datasources:\n- name: Graphite\n  password: \"{{ .password }}\"\n", 'datasources:\n- name: Graphite\n  password: "Pa55-canary"\n'],
  ];
  for (const [tpl, want] of cases) {
    test(JSON.stringify(tpl), () => assert.equal(renderTemplate(tpl, values, "t"), want));
  }

  const errors: Array<[string, RegExp]> = [
    ["{{ .missing }}", /map has no entry for key "missing"/],
    ["{{ if .user }}x{{ end }}", /action "if" is not supported/],
    ["{{ .user | sha256sum }}", /function "sha256sum" is not supported/],
    ["{{ .user", /unclosed/],
    ["{{ $x := .user }}", /variables are not supported/],
    ["{{ .a.b }}", /nested fields/],
    ['{{ replace "a" }}', /takes 3 argument/],
    ["{{ .password | b64dec }}", /not base64/],
  ];
  for (const [tpl, re] of errors) {
    test(`error: ${tpl}`, () => {
      assert.throws(
        () => renderTemplate(tpl, values, "target.template.data.x"),
        (err: unknown) => err instanceof TemplateError && re.test(err.message) && err.message.includes("target.template.data.x") && !err.message.includes("Pa55-canary"),
      );
    });
  }

  test("toString/constructor lookups never reach Object.prototype", () => {
    assert.throws(() => renderTemplate("{{ .user | constructor }}", values, "t"), /not supported/);
  });
});
