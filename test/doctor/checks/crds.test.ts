import { test } from "node:test";
import assert from "node:assert/strict";
import { crdsCheck } from "../../../src/doctor/checks/crds.js";
import type { Observed, ObservedCrd } from "../../../src/doctor/observed.js";
import { allCrds, healthy } from "../observed-builder.js";

function crds(change: (list: ObservedCrd[]) => ObservedCrd[]): Observed["crds"] {
  const all = allCrds();
  assert.ok(all?.ok);
  return { ok: true, value: change(all.value) };
}
const without = (name: string) => crds((l) => l.filter((c) => c.name !== name));
const deployment = (args: string[]): Observed["deployments"] => ({ ok: true, value: [{ name: "sealbridge", replicas: 1, readyReplicas: 1, args }] });

test("crds: each case names the CRD and its problem", () => {
  const cases: Array<{ what: string; o: Partial<Observed>; status: string; message?: RegExp }> = [
    { what: "all installed", o: {}, status: "ok", message: /9 of 9 known CRDs installed/ },
    { what: "an own CRD missing", o: { crds: without("agesecrets.sealbridge.io") }, status: "fail", message: /CRD agesecrets\.sealbridge\.io not installed/ },
    { what: "the opt-in VaultUnsealer CRD missing, no Deployment to tell", o: { crds: without("vaultunsealers.sealbridge.io") }, status: "ok" },
    { what: "the VaultUnsealer CRD missing with --vault-unsealer", o: { crds: without("vaultunsealers.sealbridge.io"), deployments: deployment(["sealbridge", "controller", "--vault-unsealer"]) }, status: "fail", message: /vaultunsealers/ },
    { what: "a CRD of a kind the Deployment does not run", o: { crds: without("dnscredentials.sealbridge.io"), deployments: deployment(["sealbridge", "controller", "--reconcilers", "sealedsecret,agesecret"]) }, status: "ok" },
    { what: "compat CRDs missing (ESO, sealed-secrets)", o: { crds: crds((l) => l.filter((c) => !c.name.endsWith("external-secrets.io") && c.name !== "sealedsecrets.bitnami.com")) }, status: "ok" },
    { what: "not established", o: { crds: crds((l) => l.map((c) => (c.name === "agesecrets.sealbridge.io" ? { ...c, established: false } : c))) }, status: "fail", message: /agesecrets\.sealbridge\.io not Established/ },
    { what: "own CRD not serving v1alpha1", o: { crds: crds((l) => l.map((c) => (c.name === "dnscredentials.sealbridge.io" ? { ...c, versions: [{ name: "v1beta1", served: true, storage: true }] } : c))) }, status: "fail", message: /does not serve v1alpha1 \(serves v1beta1\)/ },
    { what: "ESO's own CRD serving v1 only (v1beta1 not needed)", o: { crds: crds((l) => l.map((c) => (c.name === "secretstores.external-secrets.io" ? { ...c, versions: [{ name: "v1", served: true, storage: true }] } : c))) }, status: "ok" },
    { what: "ESO CRD without v1", o: { crds: crds((l) => l.map((c) => (c.name === "secretstores.external-secrets.io" ? { ...c, versions: [{ name: "v1beta1", served: true, storage: true }] } : c))) }, status: "fail", message: /secretstores\.external-secrets\.io does not serve v1/ },
    { what: "own CRD storing another version", o: { crds: crds((l) => l.map((c) => (c.name === "agesecrets.sealbridge.io" ? { ...c, versions: [{ name: "v1alpha1", served: true, storage: false }, { name: "v1beta1", served: true, storage: true }] } : c))) }, status: "warn", message: /stores v1beta1/ },
    { what: "two missing, one phrase", o: { crds: crds((l) => l.filter((c) => !["agesecrets.sealbridge.io", "dnscredentials.sealbridge.io"].includes(c.name))) }, status: "fail", message: /^CRDs agesecrets\.sealbridge\.io, dnscredentials\.sealbridge\.io not installed$/ },
    { what: "forbidden", o: { crds: { ok: false, status: 403, message: "forbidden" } }, status: "warn", message: /forbidden to you/ },
  ];
  for (const c of cases) {
    const r = crdsCheck(healthy(c.o));
    assert.equal(r.status, c.status, `${c.what}: ${JSON.stringify(r)}`);
    if (c.message) assert.match(r.message, c.message, c.what);
    if (r.status === "fail") assert.match(r.fix ?? "", /crds/, c.what);
  }
});

test("crds: the Deployment's args say which kinds run (--reconcilers in both spellings, repeated; --vault-unsealer)", () => {
  const missing = without("vaultunsealers.sealbridge.io");
  const cases: Array<{ args: string[]; crds: Observed["crds"]; status: string }> = [
    { args: ["controller"], crds: missing, status: "ok" },
    { args: ["controller", "--vault-unsealer"], crds: missing, status: "fail" },
    { args: ["controller", "--reconcilers", "agesecret", "--reconcilers=dnscredential,certificatecheck"], crds: without("acmecertificates.sealbridge.io"), status: "ok" },
    { args: ["controller", "--reconcilers", "agesecret", "--reconcilers=dnscredential,certificatecheck"], crds: without("dnscredentials.sealbridge.io"), status: "fail" },
    { args: ["controller", "--reconcilers=agesecret"], crds: without("agesecrets.sealbridge.io"), status: "fail" },
  ];
  for (const c of cases) assert.equal(crdsCheck(healthy({ crds: c.crds, deployments: deployment(c.args) })).status, c.status, c.args.join(" "));
});
