// Conformance: lease TTLs of logins and token renewals, capped by the role's token_max_ttl, the
// mount's max_lease_ttl and the system's 768h, with OpenBao's warnings (openbao
// sdk/framework/lease.go CalculateTTL, internal/vault/expiration.go RenewToken; texts checked
// against OpenBao 2.7.2), the mount tune endpoints, and a kubernetes login on an unconfigured
// mount (500, as OpenBao's pathLogin returns an error, not an error response).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "../kube/index.js";
import { send } from "../kube/test-client.js";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";
import { humanDuration } from "./lease-ttl.js";
import { call } from "./vault-call.js";

const authDocs = "https://openbao.org/api-docs/system/auth/#tune-auth-method";
const tokenDocs = "https://openbao.org/api-docs/auth/token/#renew-a-token-self";
const H = 3600;

describe("humanDuration (OpenBao's trimmed Go durations)", () => {
  test("whole hours and minutes lose their zero parts", () => {
    const cases: Array<[number, string]> = [[0, "0s"], [59, "59s"], [60, "1m"], [90, "1m30s"], [3600, "1h"], [3599, "59m59s"], [7199, "1h59m59s"], [3601, "1h1s"], [5400, "1h30m"], [2764800, "768h"]];
    for (const [s, want] of cases) assert.equal(humanDuration(s), want, String(s));
  });
});

describe("login and renewal TTLs", () => {
  let v: VaultTestCluster;
  let root = "";
  const loginAs = async (role: string) => {
    const id = (await call(v.addr, "GET", `auth/approle/role/${role}/role-id`, { token: root })).body.data.role_id as string;
    const r = await call(v.addr, "POST", "auth/approle/login", { body: { role_id: id } });
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  const renew = async (token: string, body: Record<string, unknown>) => {
    const r = await call(v.addr, "POST", "auth/token/renew-self", { token, body });
    assert.equal(r.status, 200, r.text);
    return { lease: r.body.auth.lease_duration as number, warnings: r.body.warnings as string[] | null };
  };
  const role = (name: string, body: Record<string, unknown>) =>
    call(v.addr, "POST", `auth/approle/role/${name}`, { token: root, body: { bind_secret_id: false, secret_id_bound_cidrs: ["127.0.0.1/32"], ...body } });

  before(async () => {
    v = await startVaultServer({ clock: () => Date.parse("2026-03-01T12:00:00Z"), rootToken: "root" });
    root = v.rootToken ?? "";
    const en = await call(v.addr, "POST", "sys/auth/approle", { token: root, body: { type: "approle", config: { default_lease_ttl: "30m", max_lease_ttl: "2h" } } });
    assert.equal(en.status, 204, en.text);
  });
  after(() => v.stop());

  test(`the mount's config is read back by tune; max below default is refused (${authDocs})`, async () => {
    const r = await call(v.addr, "GET", "sys/auth/approle/tune", { token: root });
    assert.deepEqual([r.body.data.default_lease_ttl, r.body.data.max_lease_ttl, r.body.data.token_type], [1800, 7200, "default-service"]);
    assert.equal(r.body.max_lease_ttl, 7200);
    const bad = await call(v.addr, "POST", "sys/auth/approle/tune", { token: root, body: { max_lease_ttl: "20m" } });
    assert.deepEqual([bad.status, bad.body], [400, { errors: ["backend max lease TTL of 1200 would be less than backend default lease TTL of 1800"] }]);
    const token = await call(v.addr, "GET", "sys/auth/token/tune", { token: root });
    assert.deepEqual(token.body.data, { default_lease_ttl: 2764800, description: "token based credentials", force_no_cache: false, max_lease_ttl: 2764800, token_type: "default-service" });
  });

  test("a role's token_max_ttl above the mount's max is stored with a warning; token_ttl above token_max_ttl is refused", async () => {
    const big = await role("big", { token_ttl: "10m", token_max_ttl: "3h" });
    assert.equal(big.status, 200);
    assert.deepEqual(big.body.warnings, ["token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"]);
    const bad = await role("bad", { token_ttl: "2h", token_max_ttl: "1h" });
    assert.deepEqual([bad.status, bad.body], [400, { errors: ["'token_ttl' cannot be greater than 'token_max_ttl'"] }]);
  });

  test(`renewal is capped by the role's token_max_ttl from the issue time, with OpenBao's warning (${tokenDocs})`, async () => {
    assert.equal((await role("app", { token_ttl: "10m", token_max_ttl: "1h" })).status, 204);
    const login = await loginAs("app");
    assert.deepEqual([login.auth.lease_duration, login.warnings], [600, null]);
    const token = login.auth.client_token as string;
    v.advanceTime(1000);
    assert.deepEqual(await renew(token, { increment: "3h" }), { lease: 3599, warnings: ['TTL of "3h" exceeded the effective max_ttl of "59m59s"; TTL value is capped accordingly'] });
    // Without an increment the role's token_ttl is renewed, no warning while it fits.
    assert.deepEqual(await renew(token, {}), { lease: 600, warnings: null });
    // The role as it is at renewal time counts: a shorter token_ttl now is what a renewal gets.
    assert.equal((await role("app", { token_ttl: "1m", token_max_ttl: "1h" })).status, 204);
    assert.deepEqual(await renew(token, {}), { lease: 60, warnings: null });
    assert.equal((await role("app", { token_ttl: "10m", token_max_ttl: "1h" })).status, 204);
    assert.deepEqual(await renew(token, {}), { lease: 600, warnings: null });
    v.advanceTime(540 * 1000);
    assert.deepEqual(await renew(token, { increment: "1h" }), { lease: 3059, warnings: ['TTL of "1h" exceeded the effective max_ttl of "50m59s"; TTL value is capped accordingly'] });
    v.advanceTime(3000 * 1000);
    assert.deepEqual(await renew(token, {}), { lease: 59, warnings: ['TTL of "10m" exceeded the effective max_ttl of "59s"; TTL value is capped accordingly'] });
    const self = await call(v.addr, "GET", "auth/token/lookup-self", { token });
    assert.equal(self.body.data.ttl, 59);
    v.advanceTime(60 * 1000);
    assert.equal((await call(v.addr, "POST", "auth/token/renew-self", { token, body: {} })).status, 403, "expired at the max TTL");
  });

  test("the mount's max TTL caps a role whose token_max_ttl is larger, and a role without TTLs gets the mount's default", async () => {
    const big = await loginAs("big");
    assert.equal(big.auth.lease_duration, 600);
    v.advanceTime(1000);
    assert.deepEqual(await renew(big.auth.client_token, { increment: "10h" }), { lease: 7199, warnings: ['TTL of "10h" exceeded the effective max_ttl of "1h59m59s"; TTL value is capped accordingly'] });
    assert.equal((await role("dflt", {})).status, 204);
    assert.equal((await loginAs("dflt")).auth.lease_duration, 1800);
  });

  test("a periodic role's period is capped by the effective max at login and at renewal", async () => {
    assert.equal((await role("per", { token_period: "5h" })).status, 204);
    const login = await loginAs("per");
    const warning = 'period of "5h" exceeded the effective max_ttl of "2h"; period value is capped accordingly';
    assert.deepEqual([login.auth.lease_duration, login.warnings], [7200, [warning]]);
    // Periodic tokens have no max TTL: renewed within each period they outlive the mount's max.
    for (let i = 0; i < 3; i++) {
      v.advanceTime(H * 1000);
      assert.deepEqual(await renew(login.auth.client_token, { increment: "10m" }), { lease: 7200, warnings: [warning] });
    }
  });

  test("a token-store token renews its last granted TTL, capped by explicit_max_ttl", async () => {
    const t = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { ttl: "1h", explicit_max_ttl: "2h", policies: ["default"] } })).body.auth.client_token as string;
    assert.deepEqual(await renew(t, { increment: "5h" }), { lease: 7200, warnings: ['TTL of "5h" exceeded the effective max_ttl of "2h"; TTL value is capped accordingly'] });
    v.advanceTime(1000);
    assert.deepEqual(await renew(t, {}), { lease: 7199, warnings: ['TTL of "2h" exceeded the effective max_ttl of "1h59m59s"; TTL value is capped accordingly'] });
  });

  test("auth/token/create caps the TTL by the token mount's max and explicit_max_ttl, with warnings", async () => {
    const create = async (body: Record<string, unknown>) => {
      const r = await call(v.addr, "POST", "auth/token/create", { token: root, body });
      assert.equal(r.status, 200, r.text);
      return [r.body.auth.lease_duration, r.body.warnings];
    };
    assert.deepEqual(await create({ ttl: "1000h" }), [2764800, ['TTL of "1000h" exceeded the effective max_ttl of "768h"; TTL value is capped accordingly']]);
    assert.deepEqual(await create({ ttl: "1h", explicit_max_ttl: "30m" }), [1800, ['TTL of "1h" exceeded the effective max_ttl of "30m"; TTL value is capped accordingly']]);
    assert.deepEqual(await create({ period: "1000h" }), [2764800, ['period of "1000h" exceeded the effective max_ttl of "768h"; period value is capped accordingly']]);
    assert.deepEqual(await create({ ttl: "1h" }), [3600, null]);
  });

  test("a deleted role makes the renewal fail with 500", async () => {
    assert.equal((await role("gone", { token_ttl: "10m" })).status, 204);
    const t = (await loginAs("gone")).auth.client_token as string;
    assert.equal((await call(v.addr, "DELETE", "auth/approle/role/gone", { token: root })).status, 204);
    const r = await call(v.addr, "POST", "auth/token/renew-self", { token: t, body: {} });
    assert.deepEqual([r.status, r.body], [500, { errors: ['1 error occurred:\n\t* failed to renew entry: role "gone" does not exist during renewal\n\n'] }]);
  });
});

describe("kubernetes auth: unconfigured mount, role max above the mount's", () => {
  let v: VaultTestCluster;
  let kube: KubeTestServer;
  let root = "";
  before(async () => {
    [v, kube] = await Promise.all([startVaultServer({ rootToken: "root" }), startKubeServer()]);
    root = v.rootToken ?? "";
    assert.equal((await call(v.addr, "POST", "sys/auth/kubernetes", { token: root, body: { type: "kubernetes", config: { max_lease_ttl: "1h" } } })).status, 204);
  });
  after(() => Promise.all([v.stop(), kube.stop()]));

  test("login before auth/kubernetes/config is written: 500 could not load backend configuration", async () => {
    const w = await call(v.addr, "POST", "auth/kubernetes/role/r", { token: root, body: { bound_service_account_names: ["a"], bound_service_account_namespaces: ["n"], token_max_ttl: "9999h" } });
    assert.equal(w.status, 200);
    assert.deepEqual(w.body.warnings, ["max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"]);
    const r = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "r", jwt: kube.issueServiceAccountToken("n", "a") } });
    assert.deepEqual([r.status, r.body], [500, { errors: ["could not load backend configuration"] }]);
    // The role is checked first: an unknown role is still a 400.
    const unknown = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "nope", jwt: "x.y.z" } });
    assert.deepEqual([unknown.status, unknown.body], [400, { errors: ['invalid role name "nope"'] }]);
  });

  test("a kubernetes login token renews from its role, capped by the role's token_max_ttl", async () => {
    const sa = await send({ url: kube.url, caPem: kube.caPem, token: kube.adminToken }, "POST", "/api/v1/namespaces/default/serviceaccounts", { metadata: { name: "app" } });
    assert.equal(sa.status, 201);
    const cfg = await call(v.addr, "POST", "auth/kubernetes/config", { token: root, body: { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: kube.adminToken } });
    assert.equal(cfg.status, 204, cfg.text);
    const w = await call(v.addr, "POST", "auth/kubernetes/role/app", { token: root, body: { bound_service_account_names: ["app"], bound_service_account_namespaces: ["default"], token_ttl: "10m", token_max_ttl: "30m" } });
    assert.equal(w.status, 204, w.text);
    const login = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "app", jwt: kube.issueServiceAccountToken("default", "app") } });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.auth.lease_duration, 600);
    v.advanceTime(1000);
    const r = await call(v.addr, "POST", "auth/token/renew-self", { token: login.body.auth.client_token, body: { increment: "1h" } });
    assert.deepEqual([r.status, r.body.auth.lease_duration, r.body.warnings], [200, 1799, ['TTL of "1h" exceeded the effective max_ttl of "29m59s"; TTL value is capped accordingly']]);
  });
});
