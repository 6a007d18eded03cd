/**
 * The demo's last step: none of the secrets it planted (the database password, the TSIG key,
 * the Vault unseal shares and root token) is in a controller log line or a Kubernetes Event.
 */
import type { ControllerProcess } from "./controller-process.js";
import type { DemoSession } from "./session.js";

/** Runs the step. */
export async function leakCheck(demo: DemoSession, controller: ControllerProcess): Promise<void> {
  demo.say("Nothing secret leaked");
  const planted = demo.secrets.filter((s) => s.length >= 8);
  demo.check(planted.length > 0 && !planted.some((s) => controller.log.includes(s)), `none of the ${planted.length} planted secrets (password, TSIG key, unseal shares, root token) is in a controller log line`);
  const events = (await demo.kubectl(["get", "events", "-A", "-o", "json"])).stdout;
  demo.check(!planted.some((s) => events.includes(s)), "none is in a Kubernetes Event");
}
