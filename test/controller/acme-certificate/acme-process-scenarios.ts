/**
 * AcmeCertificate and DnsCredential through `sealbridge controller` as its own process, against
 * the Kubernetes test server (acme-process.test.ts) or a real kube-apiserver under exactly the
 * RBAC of the `certs` and `acme` features (acme.real.test.ts), with real BIND 9 and real Pebble on
 * loopback. Nothing in the controller is faked and no clock is injected: renewal comes from a
 * Pebble whose certificates live 40 s and a renewBefore of 30 s.
 *
 * Scenarios: an issuance end to end (a kubernetes.io/tls Secret whose chain openssl verifies
 * against Pebble's root, cert-manager's status names, TXT records removed); renewal when
 * renewalTime passes, restarting the Secret's consumer; a controller SIGKILLed mid-order resumes
 * the same order with the same account; BIND stopped mid-order is a clean failure condition, then
 * a success once BIND is back; a DnsCredential rotates from TSIG key A to key B (targets updated,
 * consumer restarted), and the rotation to key C, which BIND refuses, is blocked (Ready=False
 * naming REFUSED, key B stays in every target, a Warning Event and an alert). The TSIG secrets are
 * the canaries: never in the process's output, Events, status or alerts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import { queryServer } from "../../../src/acme/dns/query.js";
import { RRTYPE } from "../../../src/acme/dns/wire/record.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { newKey, startBind, type BindServer } from "../../harness/acme/bind.js";
import { startPebble, type PebbleServer } from "../../harness/acme/pebble.js";
import { startBackend, type Backend, type BackendKind } from "../../harness/realstack/backend.js";
import { installControllerIdentity } from "../../harness/realstack/controller-identity.js";
import { kubeWorkspace, run, startController, waitFor, type ControllerProcess, type KubeWorkspace } from "../../support/controller-process.js";
import { startWebhookRecorder, type WebhookRecorder } from "../../support/webhook-recorder.js";
import { waitEstablished } from "../../support/crd-wait.js";

const CRDS = fileURLToPath(new URL("../../../crds/", import.meta.url));
const API = "/apis/sealbridge.io/v1alpha1";
const RECONCILERS = "certificatecheck,acmecertificate,dnscredential";

type Condition = { type: string; status: string; reason: string; message: string; observedGeneration?: number; lastTransitionTime?: string };
type AcmeStatus = { notBefore?: string; notAfter?: string; renewalTime?: string; order?: { url: string; stage: string }; conditions?: Condition[]; failedIssuanceAttempts?: number };
type Event = { involvedObject: { kind?: string; name?: string; namespace?: string }; reason?: string; message?: string; type?: string };

const b64 = (s: string) => Buffer.from(s).toString("base64");
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, "base64").toString("utf8"));
const secondPrecision = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const pemBlocks = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** Defines the scenarios on the backend `kind`. */
export function acmeProcessScenarios(kind: BackendKind): void {
  describe(`AcmeCertificate and DnsCredential through the controller process (${kind === "real" ? "real kube-apiserver, RBAC of the certs and acme features" : "Kubernetes test server"}; real BIND and Pebble)`, { timeout: 600_000 }, () => {
    const keyA = newKey("acme-a", true);
    const keyB = newKey("acme-b", true, "hmac-sha512");
    const keyC = newKey("acme-c", false);
    let bind: BindServer;
    let pebble: PebbleServer;
    let shortPebble: PebbleServer;
    let backend: Backend;
    let admin: KubeWorkspace;
    let identity: KubeWorkspace;
    let controller: ControllerProcess | undefined;
    const outputs: string[] = [];
    let hook: WebhookRecorder;
    const posted = (): string[] => hook.posted;

    const get = (path: string) => backend.get(path);
    const acme = async (name: string) => (await get(`${API}/namespaces/web/acmecertificates/${name}`)) as (KubeObject & { status?: AcmeStatus }) | undefined;
    const condition = (status: { conditions?: Condition[] } | undefined, type: string) => status?.conditions?.find((c) => c.type === type);
    const secretData = async (ns: string, name: string) => ((await get(`/api/v1/namespaces/${ns}/secrets/${name}`))?.["data"] ?? undefined) as Record<string, string> | undefined;
    const events = async (kindName: string, name: string): Promise<Event[]> =>
      ((await backend.list("/api/v1/events")) as unknown as Event[]).filter((e) => e.involvedObject.kind === kindName && e.involvedObject.name === name);
    const txtAnswers = async (fqdn: string) => (await queryServer(bind.server, fqdn, RRTYPE.TXT)).answers.length;
    const apply = async (objects: KubeObject[]) => {
      const file = join(admin.dir, `apply-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, objects.map((o) => toYaml(o)).join("---\n"));
      const r = await admin.kubectl(["apply", "-f", file]);
      assert.equal(r.code, 0, r.stderr);
    };
    const start = async () => {
      controller = await startController(identity, ["--namespace", "sealbridge", "--reconcilers", RECONCILERS, "--resync-period", "5s", "--alert-sink", `webhook=${hook.url}`], 120_000);
    };
    const stopController = async (how: "stop" | "kill") => {
      if (!controller) return;
      if (how === "kill") await controller.kill();
      else await controller.stop();
      outputs.push(controller.output());
      controller = undefined;
    };
    const allOutput = () => [...outputs, controller?.output() ?? ""].join("\n");

    const certificate = (name: string, dnsNames: string[], opts: { short?: boolean; renewBefore?: string } = {}): KubeObject => ({
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "AcmeCertificate",
      metadata: { name, namespace: "web" },
      spec: {
        dnsNames,
        secretName: `${name}-tls`,
        ...(opts.renewBefore ? { renewBefore: opts.renewBefore } : {}),
        issuer: {
          directoryUrl: (opts.short ? shortPebble : pebble).directoryUrl,
          email: "ops@example.test",
          accountKeySecretRef: { name: opts.short ? "acme-account-short" : "acme-account" },
          caBundleSecretRef: { name: opts.short ? "pebble-short-ca" : "pebble-ca", key: "ca.crt" },
        },
        dns01: { zone: "example.test", rfc2136: { nameserver: `127.0.0.1:${bind.port}`, tsigKeyName: keyA.name, tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "tsig", key: "secret" } } },
      },
    });
    const secret = (ns: string, name: string, data: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, type: "Opaque", data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
    const consumer = (ns: string, name: string, secretName: string, via: "volume" | "envFrom"): KubeObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns, annotations: { "sealbridge.io/reload": "auto" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [{ name, image: "registry.invalid/app:1", ...(via === "envFrom" ? { envFrom: [{ secretRef: { name: secretName } }] } : { volumeMounts: [{ name: "tls", mountPath: "/tls" }] }) }],
            ...(via === "volume" ? { volumes: [{ name: "tls", secret: { secretName } }] } : {}),
          },
        },
      },
    });
    const restartedAt = async (ns: string, name: string) =>
      ((await get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`)) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } } | undefined)?.spec?.template?.metadata?.annotations?.["sealbridge.io/restartedAt"];
    const leafOf = async (name: string) => {
      const chain = unb64((await secretData("web", `${name}-tls`))?.["tls.crt"]);
      const first = chain ? pemBlocks(chain)[0] : undefined;
      return first ? new X509Certificate(first) : undefined;
    };

    before(async () => {
      hook = await startWebhookRecorder();
      bind = await startBind({ keys: [keyA, keyB, keyC] });
      pebble = await startPebble({ dnsServer: bind.server });
      shortPebble = await startPebble({ dnsServer: bind.server, certificateValidityPeriod: 40 });
      backend = await startBackend({ kind, vault: false });
      admin = await kubeWorkspace(backend.kube);
      const crds = readdirSync(CRDS).filter((f) => f.endsWith(".sealbridge.io.yaml"));
      for (const file of crds) {
        const r = await admin.kubectl(["apply", "--server-side", "-f", join(CRDS, file)]);
        assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      }
      const established = await waitEstablished((a) => admin.kubectl(a), crds.map((file) => `crd/${file.replace(/\.yaml$/, "")}`));
      assert.equal(established.code, 0, established.stderr);
      for (const ns of ["web", "cert-manager", "traefik"]) await backend.kube.admin.ensure("/api/v1/namespaces", { metadata: { name: ns } });
      if (kind === "real") {
        // Exactly the features these kinds need (not the union of deploy/rbac.yaml, where other features grant more).
        const { token } = await installControllerIdentity(backend.kube.admin, { namespace: "sealbridge", features: ["certs", "acme"] });
        identity = await kubeWorkspace({ writeKubeconfig: (path) => backend.kube.writeKubeconfig(path, { token }) });
        const whoami = await identity.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
        assert.equal(whoami.stdout, "system:serviceaccount:sealbridge:sealbridge", whoami.stderr);
      } else {
        await backend.kube.admin.ensure("/api/v1/namespaces", { metadata: { name: "sealbridge" } });
        identity = admin;
      }
      await apply([
        secret("web", "tsig", { secret: keyA.secret }),
        secret("web", "pebble-ca", { "ca.crt": pebble.caPem }),
        secret("web", "pebble-short-ca", { "ca.crt": shortPebble.caPem }),
      ]);
      await start();
    });

    after(async () => {
      await stopController("stop");
      await backend?.stop();
      if (identity !== admin) identity?.cleanup();
      admin?.cleanup();
      await shortPebble?.stop();
      await pebble?.stop();
      await bind?.close();
      await hook?.close();
    });

    test("an AcmeCertificate is issued: a kubernetes.io/tls Secret whose chain verifies against Pebble's root, cert-manager's status names, TXT records removed", async () => {
      await apply([certificate("www", ["www.example.test", "api.example.test"])]);
      const status = await waitFor("www Ready with notAfter", async () => {
        const s = (await acme("www"))?.status;
        return condition(s, "Ready")?.status === "True" && s?.notAfter && s.renewalTime ? s : undefined;
      }, 90_000);
      const waited = await admin.kubectl(["wait", "--for=condition=Ready", "acmecertificate/www", "-n", "web", "--timeout=30s"]);
      assert.equal(waited.code, 0, `real kubectl waits on the condition: ${waited.stderr}`);

      const tls = (await get("/api/v1/namespaces/web/secrets/www-tls")) as KubeObject & { type?: string; data?: Record<string, string> };
      assert.equal(tls.type, "kubernetes.io/tls");
      const chainPem = unb64(tls.data?.["tls.crt"]) ?? "";
      const blocks = pemBlocks(chainPem);
      assert.ok(blocks.length >= 2, "leaf and intermediate");
      const leaf = new X509Certificate(blocks[0] ?? "");
      assert.deepEqual(leaf.subjectAltName?.split(", ").sort(), ["DNS:api.example.test", "DNS:www.example.test"]);
      const { createPrivateKey } = await import("node:crypto");
      assert.ok(leaf.checkPrivateKey(createPrivateKey(unb64(tls.data?.["tls.key"]) ?? "")), "tls.key is the leaf's key");
      writeFileSync(join(admin.dir, "root.pem"), await pebble.issuingRoot());
      writeFileSync(join(admin.dir, "leaf.pem"), `${blocks[0]}\n`);
      writeFileSync(join(admin.dir, "intermediates.pem"), `${blocks.slice(1).join("\n")}\n`);
      const verified = await run("openssl", ["verify", "-CAfile", join(admin.dir, "root.pem"), "-untrusted", join(admin.dir, "intermediates.pem"), join(admin.dir, "leaf.pem")]);
      assert.equal(verified.code, 0, `openssl verify against Pebble's root: ${verified.stdout}${verified.stderr}`);

      // cert-manager's Certificate status names: notBefore, notAfter, renewalTime, Ready/Issuing.
      assert.equal(status.notBefore, secondPrecision(new Date(leaf.validFrom)));
      assert.equal(status.notAfter, secondPrecision(new Date(leaf.validTo)));
      const from = new Date(leaf.validFrom).getTime();
      const lifetime = new Date(leaf.validTo).getTime() - from;
      assert.equal(new Date(status.renewalTime ?? "").getTime(), Math.floor((from + Math.floor((lifetime * 2) / 3)) / 1000) * 1000, "renewal at 2/3 of the lifetime");
      const ready = condition(status, "Ready");
      assert.equal(ready?.reason, "Issued");
      assert.ok(ready?.lastTransitionTime && ready.observedGeneration === 1, "metav1.Condition fields");
      assert.equal(condition(status, "Issuing")?.status, "False");
      assert.equal(status.order, undefined, "no order left in status");
      assert.equal(await txtAnswers("_acme-challenge.www.example.test"), 0, "TXT removed");
      assert.equal(await txtAnswers("_acme-challenge.api.example.test"), 0, "TXT removed");
      assert.equal(await get("/api/v1/namespaces/web/secrets/www-tls-next-key"), undefined, "the next-key Secret is gone");
      assert.ok(await get("/api/v1/namespaces/web/secrets/acme-account"), "account key Secret created");
      const reasons = (await events("AcmeCertificate", "www")).map((e) => e.reason);
      for (const r of ["AccountKeyCreated", "OrderPending", "Issued"]) assert.ok(reasons.includes(r), `Event ${r} in ${reasons.join(", ")}`);
    });

    test("renewal when renewalTime passes (40 s certificates, renewBefore 30s): a new certificate in the Secret, its consumer restarted", async () => {
      await apply([consumer("web", "proxy", "short-tls", "volume"), certificate("short", ["short.example.test"], { short: true, renewBefore: "30s" })]);
      const first = await waitFor("the first short-lived certificate", async () => {
        const s = (await acme("short"))?.status;
        const leaf = await leafOf("short");
        return condition(s, "Ready")?.status === "True" && leaf && s?.notAfter === secondPrecision(new Date(leaf.validTo)) ? { leaf, status: s } : undefined;
      }, 90_000);
      assert.equal(new Date(first.status.renewalTime ?? "").getTime(), new Date(first.leaf.validTo).getTime() - 30_000, "renewalTime = notAfter - renewBefore");
      assert.equal(await restartedAt("web", "proxy"), undefined, "creating the Secret restarts nothing");
      const renewed = await waitFor("a renewed certificate recorded in status", async () => {
        const s = (await acme("short"))?.status;
        const leaf = await leafOf("short");
        return leaf && leaf.serialNumber !== first.leaf.serialNumber && s?.notAfter === secondPrecision(new Date(leaf.validTo)) ? { leaf, status: s } : undefined;
      }, 60_000);
      assert.ok(new Date(renewed.leaf.validFrom).getTime() >= new Date(first.status.renewalTime ?? "").getTime() - 1000, "renewed at renewalTime, not before");
      assert.equal(condition(renewed.status, "Ready")?.status, "True");
      await waitFor("the consumer restarted", () => restartedAt("web", "proxy"), 30_000);
      // Stop the 10-second renewal cycle before the next scenarios take BIND away.
      assert.equal((await admin.kubectl(["delete", "acmecertificate", "short", "-n", "web"])).code, 0);
    });

    test("a controller SIGKILLed mid-order resumes the same order with the same account once BIND answers again", async () => {
      await bind.stop();
      await apply([certificate("resume", ["resume.example.test"])]);
      const held = await waitFor("the order created and its TXT publication failing", async () => {
        const s = (await acme("resume"))?.status;
        return s?.order?.url && condition(s, "Issuing")?.reason === "Unreachable" ? s : undefined;
      }, 60_000);
      assert.equal(held.order?.stage, "Presenting");
      assert.match(condition(held, "Issuing")?.message ?? "", /127\.0\.0\.1:\d+/, "the condition names the DNS server");
      assert.equal(condition(held, "Ready")?.reason, "DoesNotExist");
      const account = (await get("/api/v1/namespaces/web/secrets/acme-account")) as KubeObject;
      const count = (path: string) => pebble.output().split("\n").filter((l) => l.includes(`POST ${path} `)).length;
      const ordersBefore = count("/order-plz");
      assert.ok(ordersBefore >= 2, "Pebble logs each new order (www, resume)");
      const accountsBefore = count("/sign-me-up");
      await stopController("kill");
      await bind.start();
      await start();
      const done = await waitFor("resume Ready after the restart", async () => {
        const s = (await acme("resume"))?.status;
        return condition(s, "Ready")?.status === "True" && s?.notAfter ? s : undefined;
      }, 120_000);
      assert.equal(done.order, undefined);
      assert.equal(count("/order-plz"), ordersBefore, "no new ACME order after the restart");
      assert.equal(count("/sign-me-up"), accountsBefore + 1, "the new process looks its account up once (the same key: no new account)");
      const accountAfter = (await get("/api/v1/namespaces/web/secrets/acme-account")) as KubeObject;
      assert.equal(accountAfter.metadata.resourceVersion, account.metadata.resourceVersion, "the same account key (so the same ACME account)");
      assert.equal((await events("AcmeCertificate", "resume")).filter((e) => e.reason === "OrderPending").length, 1, "one order for the whole story");
      assert.equal(await txtAnswers("_acme-challenge.resume.example.test"), 0, "TXT removed");
    });

    test("BIND stopped mid-order: a clean failure condition and Warning Event, the process keeps running; BIND back: the certificate is issued", async () => {
      await bind.stop();
      await apply([certificate("outage", ["outage.example.test"])]);
      const failing = await waitFor("the Unreachable condition", async () => {
        const s = (await acme("outage"))?.status;
        return condition(s, "Issuing")?.reason === "Unreachable" ? s : undefined;
      }, 60_000);
      assert.match(condition(failing, "Issuing")?.message ?? "", /^DNS .*127\.0\.0\.1:\d+.*\(.+\)$/, "one line: what failed, where, what to do");
      assert.equal(condition(failing, "Ready")?.status, "False");
      assert.ok(failing.order?.url, "the order is kept for the retry");
      await waitFor("a Warning Event", async () => (await events("AcmeCertificate", "outage")).some((e) => e.type === "Warning" && e.reason === "Unreachable"), 30_000);
      assert.equal(controller?.child.exitCode, null, "the controller did not exit");
      await bind.start();
      const done = await waitFor("outage Ready once BIND is back", async () => {
        const s = (await acme("outage"))?.status;
        return condition(s, "Ready")?.status === "True" && s?.notAfter ? s : undefined;
      }, 120_000);
      assert.equal(done.order, undefined);
      assert.ok(await leafOf("outage"), "the certificate is in its Secret");
    });

    test("DnsCredential: TSIG key A is proven and projected, A → B rotates and restarts the consumer, → C (BIND refuses it) is blocked and B stays everywhere", async () => {
      const value = async (ns: string, name: string, key: string) => unb64((await secretData(ns, name))?.[key]);
      const credential = (key: typeof keyA): KubeObject => ({
        apiVersion: "sealbridge.io/v1alpha1",
        kind: "DnsCredential",
        metadata: { name: "tsig", namespace: "cert-manager" },
        spec: {
          source: { secretRef: { name: "tsig-incoming", key: "secret" } },
          provider: { rfc2136: { nameserver: `127.0.0.1:${bind.port}`, tsigKeyName: key.name, tsigAlgorithm: key.algorithm === "hmac-sha256" ? "HMACSHA256" : "HMACSHA512" } },
          zone: "example.test",
          targets: [{ name: "rfc2136-tsig", key: "tsig-secret-key" }, { namespace: "traefik", name: "traefik-env", key: "RFC2136_TSIG_SECRET" }],
        },
      });
      const dns = async () => (await get(`${API}/namespaces/cert-manager/dnscredentials/tsig`)) as (KubeObject & { status?: { conditions?: Condition[]; provenVersion?: string } }) | undefined;
      await apply([secret("traefik", "traefik-env", { RFC2136_NAMESERVER: `127.0.0.1:${bind.port}` }), consumer("traefik", "traefik", "traefik-env", "envFrom"), secret("cert-manager", "tsig-incoming", { secret: keyA.secret }), credential(keyA)]);
      await waitFor("A propagated", async () => condition((await dns())?.status, "Ready")?.reason === "Propagated", 60_000);
      assert.equal(await value("cert-manager", "rfc2136-tsig", "tsig-secret-key"), keyA.secret);
      assert.equal(await value("traefik", "traefik-env", "RFC2136_TSIG_SECRET"), keyA.secret);
      assert.equal(await value("traefik", "traefik-env", "RFC2136_NAMESERVER"), `127.0.0.1:${bind.port}`, "the consumer's other keys stay");
      // traefik-env existed without the credential: gaining it restarts its consumer.
      const first = await waitFor("the consumer restarted for the first credential", () => restartedAt("traefik", "traefik"), 30_000);

      // A GitOps commit changes the key's name and its secret together: one kubectl apply.
      await apply([secret("cert-manager", "tsig-incoming", { secret: keyB.secret }), credential(keyB)]);
      await waitFor("B rotated into every target", async () =>
        condition((await dns())?.status, "Ready")?.status === "True" && (await value("cert-manager", "rfc2136-tsig", "tsig-secret-key")) === keyB.secret && (await value("traefik", "traefik-env", "RFC2136_TSIG_SECRET")) === keyB.secret, 60_000);
      await waitFor("a Rotated Event", async () => (await events("DnsCredential", "tsig")).some((e) => e.type === "Normal" && e.reason === "Rotated"), 30_000);
      const restarted = await waitFor("the consumer restarted for B", async () => {
        const at = await restartedAt("traefik", "traefik");
        return at !== first ? at : undefined;
      }, 30_000);

      await apply([secret("cert-manager", "tsig-incoming", { secret: keyC.secret }), credential(keyC)]);
      const refused = await waitFor("C refused", async () => {
        const c = condition((await dns())?.status, "Ready");
        return c?.status === "False" && /\bREFUSED\b/.test(c.message) ? c : undefined;
      }, 60_000);
      assert.equal(refused.reason, "CredentialRejected");
      assert.equal(await value("cert-manager", "rfc2136-tsig", "tsig-secret-key"), keyB.secret, "B stays in the cert-manager Secret");
      assert.equal(await value("traefik", "traefik-env", "RFC2136_TSIG_SECRET"), keyB.secret, "B stays in the Traefik Secret");
      assert.equal(await restartedAt("traefik", "traefik"), restarted, "no restart for a refused credential");
      await waitFor("a Warning Event", async () => (await events("DnsCredential", "tsig")).some((e) => e.type === "Warning" && e.reason === "CredentialRejected" && /REFUSED/.test(e.message ?? "")), 30_000);
      await waitFor("the alert at the --alert-sink webhook", () => posted().some((p) => p.includes("DnsCredentialRejected")), 30_000);
    });

    test("no TSIG secret in the process's output, Events, status or alerts; no request refused by RBAC", async () => {
      const dump = async (path: string) => JSON.stringify(await backend.list(path));
      const haystacks: Record<string, string> = {
        output: allOutput(),
        events: await dump("/api/v1/events"),
        acmeCertificates: await dump(`${API}/acmecertificates`),
        dnsCredentials: await dump(`${API}/dnscredentials`),
        alerts: posted().join("\n"),
      };
      for (const [where, text] of Object.entries(haystacks)) {
        for (const k of [keyA, keyB, keyC]) assert.ok(!text.includes(k.secret), `the secret of ${k.name} in ${where}`);
        assert.ok(!text.includes("PRIVATE KEY"), `no private key in ${where}`);
      }
      assert.doesNotMatch(allOutput(), /\b403\b|forbidden/i, "every request was allowed");
    });
  });
}
