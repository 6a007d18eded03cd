import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { globToRegExp } from "../../src/config/path-glob.js";
import { findRepoConfig, matchRepoRule, parseRepoConfig } from "../../src/config/repo-config.js";
import { InputError } from "../../src/errors.js";

describe("globToRegExp", () => {
  const cases: Array<[string, string, boolean]> = [
    ["clusters/prod/**", "clusters/prod/a/b/secret.yaml", true],
    ["clusters/prod/**", "clusters/staging/secret.yaml", false],
    ["clusters/*/secret.yaml", "clusters/prod/secret.yaml", true],
    ["clusters/*/secret.yaml", "clusters/prod/x/secret.yaml", false],
    ["**/secrets/*.yaml", "secrets/a.yaml", true],
    ["**/secrets/*.yaml", "a/b/secrets/a.yaml", true],
    ["**/*.{yaml,yml}", "a/b.yml", true],
    ["*.secret.yaml", "deep/dir/db.secret.yaml", true], // no slash: any directory
    ["apps/?.yaml", "apps/a.yaml", true],
    ["apps/?.yaml", "apps/ab.yaml", false],
    ["a.b/c+d.yaml", "a.b/c+d.yaml", true],
    ["a.b/c+d.yaml", "aXb/c+d.yaml", false],
  ];
  for (const [glob, path, expected] of cases) {
    test(`${glob} ${expected ? "matches" : "does not match"} ${path}`, () => assert.equal(globToRegExp(glob).test(path), expected));
  }
});

describe(".sealbridge.yaml", () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test("the first matching rule wins; paths resolve against the config's directory", async () => {
    const config = await parseRepoConfig(
      `creation_rules:
  - path: "clusters/prod/**"
    cert: certs/prod.pem
    scope: namespace-wide
  - path_regex: "^apps/"
    recipients: [age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq]
  - path: "**"
    cert: https://sealing.example/v1/cert.pem
    format: yaml
`,
      "/repo/.sealbridge.yaml",
    );
    assert.deepEqual(matchRepoRule(config, "/repo/clusters/prod/db/secret.yaml"), {
      cert: "/repo/certs/prod.pem",
      controllerNamespace: undefined,
      controllerName: undefined,
      scope: "namespace-wide",
      format: undefined,
      kind: "SealedSecret",
      recipients: [],
      recipientsFile: undefined,
      origin: "/repo/.sealbridge.yaml rule 0",
    });
    assert.equal(matchRepoRule(config, "/repo/apps/x.yaml")?.kind, "AgeSecret");
    const fallback = matchRepoRule(config, "/repo/other/x.yaml");
    assert.equal(fallback?.cert, "https://sealing.example/v1/cert.pem");
    assert.equal(fallback?.format, "yaml");
    assert.equal(matchRepoRule(config, "/elsewhere/x.yaml"), null);
  });

  test("invalid files are InputErrors naming the file and the field", async () => {
    await assert.rejects(parseRepoConfig("creation_rules: [{cert: x}]", "/r/.sealbridge.yaml"), (e: unknown) => e instanceof InputError && /\/r\/\.sealbridge\.yaml at creation_rules\.0: give exactly one of path or path_regex/.test(e.message));
    await assert.rejects(parseRepoConfig("creation_rules: [{path: x, scope: wide}]", "/r/.sealbridge.yaml"), /creation_rules\.0\.scope/);
    await assert.rejects(parseRepoConfig("creation_rules: [{path: x, typo: 1}]", "/r/.sealbridge.yaml"), InputError);
    await assert.rejects(parseRepoConfig("creation_rules: [", "/r/.sealbridge.yaml"), /not valid YAML/);
  });

  test("is found by walking up, and not beyond the repository root", async () => {
    const root = await mkdtemp(join(tmpdir(), "sb-repo-config-"));
    dirs.push(root);
    await mkdir(join(root, "outer", "repo", ".git"), { recursive: true });
    await mkdir(join(root, "outer", "repo", "a", "b"), { recursive: true });
    await writeFile(join(root, "outer", ".sealbridge.yaml"), "creation_rules: [{path: '**', cert: outer.pem}]\n");
    assert.equal(await findRepoConfig(join(root, "outer", "repo", "a", "b")), null); // stops at .git
    await writeFile(join(root, "outer", "repo", ".sealbridge.yaml"), "creation_rules: [{path: 'a/**', cert: inner.pem}]\n");
    const found = await findRepoConfig(join(root, "outer", "repo", "a", "b"));
    assert.equal(found?.path, join(root, "outer", "repo", ".sealbridge.yaml"));
    assert.equal(matchRepoRule(found!, join(root, "outer", "repo", "a", "b", "s.yaml"))?.cert, join(root, "outer", "repo", "inner.pem"));
  });
});
