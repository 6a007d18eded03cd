/**
 * The server-side apply scenario (server-side-apply-scenario.ts) on the real API server, with
 * real kubectl: the reference the test server's emulation (server-side-apply.ts) must match.
 */
import { after, before, describe } from "node:test";
import { realFixture } from "../realstack/real-fixture.js";
import type { RealFixture } from "../realstack/real-fixture.js";
import { serverSideApplyScenario } from "./server-side-apply-scenario.js";

describe("server-side apply (real API server, real kubectl)", { timeout: 300_000 }, () => {
  let f: RealFixture;
  before(async () => {
    f = await realFixture();
  });
  after(async () => {
    await f?.close();
  });
  serverSideApplyScenario(() => (args, stdin) => f.ws.kubectl(args, stdin));
});
