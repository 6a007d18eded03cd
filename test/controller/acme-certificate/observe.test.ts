// observeAcmeCertificate's failure mapping: a CA that answers with a problem is `caError` (reason
// CAError), one that does not answer is `unreachable` (reason Unreachable); the CA is a stub.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AcmeProblemError } from "../../../src/acme/acme-errors.js";
import type { AcmeServer } from "../../../src/acme/acme-server.js";
import { observeAcmeCertificate, type AcmeDeps } from "../../../src/controller/acme-certificate/observe.js";
import type { ObserveContext } from "../../../src/controller/runtime/kind.js";
import type { ObjectCache } from "../../../src/controller/types.js";
import { RemoteError } from "../../../src/errors.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";
import { acmeCertificate } from "./acme-certificate-fixture.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const b64 = (s: string) => Buffer.from(s).toString("base64");
const secret = (name: string, data: Record<string, string>): KubeObject => ({ metadata: { name, namespace: "web" }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
const secrets = new Map([secret("acme-account", { "tls.key": "-----BEGIN PRIVATE KEY-----account" }), secret("cf", { "api-token": "token" })].map((s) => [`web/${s.metadata.name}`, s]));
const cache: ObjectCache = { get: (k) => secrets.get(k), list: () => [...secrets.values()], synced: async () => {} };
const ctx = { clock: { now: () => NOW }, log: silentLogger, cache: () => cache, live: {} } as unknown as ObserveContext;
const cert = acmeCertificate();

/** A CA whose every call fails with `err`. */
function deps(err: Error): AcmeDeps {
  // Not a thenable ("then" stays undefined), so `await deps.acme()` yields the CA itself.
  const ca = new Proxy({}, { get: (_t, prop) => (prop === "then" ? undefined : async () => { throw err; }) }) as AcmeServer;
  return {
    acme: async () => ca,
    provider: () => new Proxy({}, { get: (_t, prop) => (prop === "then" ? undefined : () => { throw new Error("no DNS step is reached"); }) }) as ReturnType<AcmeDeps["provider"]>,
    lookup: () => ({}) as ReturnType<AcmeDeps["lookup"]>,
    newPrivateKey: async () => "-----BEGIN PRIVATE KEY-----next",
    renewalWindow: async () => null,
  };
}

const cases: Array<[string, Error, "caError" | "unreachable"]> = [
  ["a 503 problem", new AcmeProblemError("ACME account failed: https://acme.example.test/dir answered 503 serverInternal: down (see the problem detail)", "urn:ietf:params:acme:error:serverInternal", 503), "caError"],
  ["a 400 problem before any order", new AcmeProblemError("ACME account failed: https://acme.example.test/dir answered 400 malformed: no (see the problem detail)", "urn:ietf:params:acme:error:malformed", 400), "caError"],
  ["no answer", new RemoteError("ACME account failed: https://acme.example.test/dir unreachable (ECONNREFUSED) (check that the ACME server runs and the URL is right)", { code: "AcmeUnreachable" }), "unreachable"],
];
for (const [what, err, field] of cases) {
  test(`the CA fails with ${what}: observed.${field} carries its message`, async () => {
    const observed = await observeAcmeCertificate(ctx, deps(err), cert);
    assert.equal(observed[field], err.message);
    assert.equal(observed[field === "caError" ? "unreachable" : "caError"], undefined);
  });
}
