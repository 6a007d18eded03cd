import { test } from "node:test";
import assert from "node:assert/strict";
import { controllerLeaseCheck, controllerPodsCheck, controllerReadyCheck, controllerServiceCheck } from "../../../src/doctor/checks/controller.js";
import type { Observed, ObservedPod } from "../../../src/doctor/observed.js";
import { NOW, healthy } from "../observed-builder.js";

const pod = (name: string, changes: Partial<ObservedPod> = {}): ObservedPod => ({ name, phase: "Running", ready: true, restarts: 0, ...changes });
const dep = (ready: number, replicas = 1): Observed["deployments"] => ({ ok: true, value: [{ name: "sealbridge", replicas, readyReplicas: ready, args: [] }] });
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

test("controller-pods: none visible (run outside the cluster), ready, not ready, crash looping, partly ready, forbidden", () => {
  const cases: Array<{ what: string; o: Partial<Observed>; status: string; message: RegExp }> = [
    { what: "none", o: {}, status: "skip", message: /no Deployment or Pod labelled app\.kubernetes\.io\/name=sealbridge in namespace sealbridge/ },
    { what: "ready", o: { deployments: dep(1), pods: { ok: true, value: [pod("sb-1")] } }, status: "ok", message: /1 controller Pod\(s\) running and ready/ },
    { what: "deployment not ready", o: { deployments: dep(0), pods: { ok: true, value: [pod("sb-1", { ready: false })] } }, status: "fail", message: /no ready controller Pod in sealbridge/ },
    { what: "crash loop", o: { deployments: dep(0), pods: { ok: true, value: [pod("sb-1", { ready: false, waitingReason: "CrashLoopBackOff", restarts: 7 })] } }, status: "fail", message: /CrashLoopBackOff/ },
    { what: "two of three", o: { deployments: dep(2, 2), pods: { ok: true, value: [pod("a"), pod("b"), pod("c", { ready: false, phase: "Pending" })] } }, status: "warn", message: /2 of 3 controller Pods ready/ },
    { what: "forbidden", o: { pods: { ok: false, status: 403, message: "forbidden" } }, status: "skip", message: /forbidden to you/ },
  ];
  for (const c of cases) {
    const r = controllerPodsCheck(healthy(c.o));
    assert.equal(r.status, c.status, c.what);
    assert.match(r.message, c.message, c.what);
    if (r.status === "fail") assert.match(r.fix ?? "", /kubectl -n sealbridge (describe|logs)/);
  }
});

test("controller-lease: fresh, missing, released, stale, never renewed, forbidden", () => {
  const lease = (holder: string, renewTime: string | undefined): Observed["lease"] => ({ ok: true, value: { holder, ...(renewTime ? { renewTime } : {}), durationSeconds: 15 } });
  const cases: Array<{ what: string; lease: Observed["lease"]; status: string; message: RegExp }> = [
    { what: "fresh", lease: lease("pod-a", ago(5000)), status: "ok", message: /pod-a leads \(renewed 5s ago\)/ },
    { what: "just within", lease: lease("pod-a", ago(15_000)), status: "ok", message: /pod-a leads/ },
    { what: "missing", lease: { ok: true, value: null }, status: "fail", message: /no Lease sealbridge\/sealbridge-controller/ },
    { what: "released", lease: lease("", ago(1000)), status: "fail", message: /has no holder/ },
    { what: "stale", lease: lease("pod-a", ago(16_000)), status: "fail", message: /stale: pod-a last renewed it 16s ago \(lease duration 15s\)/ },
    { what: "stale for hours", lease: lease("pod-a", ago(3 * 3_600_000)), status: "fail", message: /3h ago/ },
    { what: "never renewed", lease: lease("pod-a", undefined), status: "fail", message: /never renewed/ },
    { what: "forbidden", lease: { ok: false, status: 403, message: "forbidden" }, status: "skip", message: /forbidden to you/ },
  ];
  const noNs = controllerLeaseCheck(healthy({ lease: { ok: true, value: null }, api: { ok: true, namespaceExists: false } }));
  assert.equal(noNs.status, "fail");
  assert.match(noNs.message, /no namespace sealbridge: sealbridge is not installed there/);
  for (const c of cases) {
    const r = controllerLeaseCheck(healthy({ lease: c.lease }));
    assert.equal(r.status, c.status, c.what);
    assert.match(r.message, c.message, c.what);
    if (r.status === "fail") assert.ok(r.fix, c.what);
  }
});

test("controller-service: present, missing (names the drop-in flags), no ports", () => {
  assert.equal(controllerServiceCheck(healthy()).status, "ok");
  const missing = controllerServiceCheck(healthy({ service: { ok: true, value: null } }));
  assert.equal(missing.status, "fail");
  assert.match(missing.message, /no Service sealbridge\/sealbridge/);
  assert.match(missing.fix ?? "", /--service-name sealed-secrets-controller/);
  assert.equal(controllerServiceCheck(healthy({ service: { ok: true, value: { portNames: [] } } })).status, "fail");
});

test("controller-ready: ready, ready with absent CRDs, not ready with the controller's reason, no endpoints, proxy forbidden", () => {
  const cases: Array<{ what: string; readyz: Observed["readyz"]; status: string; message: RegExp; fix?: RegExp }> = [
    { what: "ready", readyz: { answered: true, status: 200, body: "ok (leader)\n" }, status: "ok", message: /ready: ok \(leader\)/ },
    { what: "standby", readyz: { answered: true, status: 200, body: "ok (standby)\n" }, status: "ok", message: /standby/ },
    { what: "absent CRD", readyz: { answered: true, status: 200, body: "ok (leader); not installed: agesecrets.sealbridge.io\n" }, status: "warn", message: /not installed: agesecrets/ },
    { what: "not ready", readyz: { answered: true, status: 503, body: "caches not synced: secrets\n" }, status: "fail", message: /not ready \(HTTP 503\): caches not synced: secrets/ },
    { what: "no endpoints", readyz: { answered: false, status: 503, message: 'no endpoints available for service "sealbridge"' }, status: "fail", message: /no ready controller behind the Service/, fix: /endpoints/ },
    { what: "forbidden", readyz: { answered: false, status: 403, message: "forbidden" }, status: "fail", message: /refused the service proxy/, fix: /services\/proxy/ },
  ];
  for (const c of cases) {
    const r = controllerReadyCheck(healthy({ readyz: c.readyz }));
    assert.equal(r.status, c.status, c.what);
    assert.match(r.message, c.message, c.what);
    if (c.fix) assert.match(r.fix ?? "", c.fix, c.what);
  }
});
