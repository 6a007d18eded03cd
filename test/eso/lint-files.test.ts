import { test } from "node:test";
import assert from "node:assert/strict";
import { HOMELAB_EXTERNAL_SECRET } from "./homelab-manifest.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../support/cli.ts", import.meta.url)), ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("sealbridge check --eso: exit 0 on supported manifests, 1 with findings naming file, document and field, 2 when unreadable", () => {
  const dir = mkdtempSync(join(tmpdir(), "eso-lint-"));
  try {
    const good = join(dir, "good.yaml");
    writeFileSync(good, HOMELAB_EXTERNAL_SECRET);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: x, namespace: n }
spec:
  secretStoreRef: { name: s }
  dataFrom: [{ find: { path: dev } }]
`);
    const ok = cli(["check", "--eso", good]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, "");
    const found = cli(["check", "--eso", good, bad]);
    assert.equal(found.status, 1);
    assert.match(found.stdout, /bad\.yaml: document 0: ExternalSecret n\/x: unsupported field spec\.dataFrom\[0\]\.find/);
    const missing = cli(["check", "--eso", join(dir, "nope.yaml")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*nope\.yaml: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
