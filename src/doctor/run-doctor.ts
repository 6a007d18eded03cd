/** One doctor run: observe, judge the chain, print; the exit status (0 no broken link, 1 a broken link). */
import type { Writable } from "node:stream";
import type { Clock } from "../clock.js";
import { runChain } from "./chain.js";
import type { DoctorOptions } from "./doctor-options.js";
import { observe } from "./observe.js";
import { formatReport } from "./report-format.js";

/**
 * Runs doctor and writes the report to `out` (text, or JSON with `-o json`).
 * @returns 0 when no link failed (warnings allowed), 1 when one did.
 */
export async function runDoctor(options: DoctorOptions, out: Writable, env: Record<string, string | undefined>, clock: Clock): Promise<number> {
  const observed = await observe({
    target: { namespace: options.namespace, serviceName: options.serviceName, leaseName: options.leaseName },
    kubeconfig: options.kubeconfig,
    context: options.context,
    env,
    vaultProbe: options.vaultProbe,
    timeoutMs: options.timeoutMs,
    clock,
  });
  const report = runChain(observed);
  out.write(options.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}
