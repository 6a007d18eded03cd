import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { probeVaultHealth } from "../../src/doctor/vault-health.js";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";

let vault: VaultTestCluster;
let notVault: Server;
let notVaultAddr = "";
before(async () => {
  vault = await startVaultServer({ mode: "dev" });
  notVault = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>hi</html>"));
  await new Promise<void>((r) => notVault.listen(0, "127.0.0.1", r));
  notVaultAddr = `http://127.0.0.1:${(notVault.address() as AddressInfo).port}`;
});
after(async () => {
  await vault.stop();
  await new Promise((r) => notVault.close(r));
});

test("sys/health from here: unsealed, sealed, not Vault, nothing listening, not a URL", async () => {
  assert.deepEqual(await probeVaultHealth(vault.addr, undefined, 2000), { reached: true, initialized: true, sealed: false, standby: false });
  vault.node(0).seal();
  const sealed = await probeVaultHealth(`${vault.addr}/`, undefined, 2000);
  assert.ok(sealed.reached && sealed.initialized && sealed.sealed, JSON.stringify(sealed));
  assert.deepEqual(await probeVaultHealth(notVaultAddr, undefined, 2000), { reached: false, message: "answered HTTP 200, not Vault's sys/health" });
  const closed = await probeVaultHealth("http://127.0.0.1:1", undefined, 2000);
  assert.equal(closed.reached, false);
  assert.match(closed.reached ? "" : closed.message, /ECONNREFUSED/);
  assert.deepEqual(await probeVaultHealth("not a url", undefined, 2000), { reached: false, message: "the server is not a URL" });
});
