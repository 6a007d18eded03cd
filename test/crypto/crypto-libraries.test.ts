// Issue 2, "Done means": RSA and AES through node:crypto; node-forge only to create certificates.
// A guard over the source tree, so a later change that reaches for node-forge (or another
// crypto library) on the sealing path fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, "utf8") }));
const importsOf = (text: string, pkg: string) => new RegExp(`(from\\s+|import\\()\\s*["']${pkg}["']`).test(text);

test("node-forge is imported only by the certificate generator, and only lazily", () => {
  const users = files.filter((f) => importsOf(f.text, "node-forge")).map((f) => f.path);
  assert.deepEqual(users, ["crypto/sealing-key.ts"]);
  const generator = files.find((f) => f.path === "crypto/sealing-key.ts")?.text ?? "";
  assert.doesNotMatch(generator, /^import[^\n]*["']node-forge["']/m, "a static import would load forge on every seal");
});

test("the hybrid (RSA-OAEP + AES-GCM) sealing uses node:crypto and no other crypto package", () => {
  const hybrid = files.find((f) => f.path === "crypto/hybrid-encryption.ts")?.text ?? "";
  assert.ok(importsOf(hybrid, "node:crypto"));
  for (const pkg of ["node-forge", "crypto-js", "node-rsa", "jsrsasign", "@noble/ciphers"]) {
    assert.deepEqual(files.filter((f) => importsOf(f.text, pkg) && f.path !== "crypto/sealing-key.ts").map((f) => f.path), [], pkg);
  }
});
