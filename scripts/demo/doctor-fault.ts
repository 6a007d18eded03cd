/**
 * Demo step 12: `sealbridge doctor` on the running environment finds no broken link; the
 * controller is stopped (a crashed or scaled-down controller) and doctor, exiting 1, names the
 * broken link with its fix; the controller is started again and doctor passes.
 */
import type { ControllerProcess } from "./controller-process.js";
import type { DemoSession } from "./session.js";

interface DoctorReport {
  ok: boolean;
  firstFailure: string | null;
  checks: Array<{ name: string; status: string; message: string; fix?: string }>;
}

/** Runs doctor (JSON); its exit code and report. */
async function doctor(demo: DemoSession, show: boolean): Promise<{ code: number; report: DoctorReport }> {
  const r = await demo.sealbridge(["doctor", "-n", "sealbridge", "-o", "json"], { allowFail: true, show });
  let report: DoctorReport;
  try {
    report = JSON.parse(r.stdout) as DoctorReport;
  } catch {
    throw demo.fail(`doctor printed no JSON report (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-2).join(" | ")}`);
  }
  return { code: r.code, report };
}

const broken = (report: DoctorReport): string =>
  report.checks
    .filter((c) => c.status === "fail")
    .map((c) => `${c.name}: ${c.message}`)
    .join("; ");

/** Runs the step. */
export async function doctorFindsFault(demo: DemoSession, controller: ControllerProcess): Promise<void> {
  demo.say("`sealbridge doctor` names an injected fault: the controller stopped");
  const healthy = await doctor(demo, true);
  demo.check(healthy.code === 0 && healthy.report.ok, `doctor walks ${healthy.report.checks.length} links and finds no broken one (exit 0)${healthy.code === 0 ? "" : `; it found: ${broken(healthy.report)}`}`);

  await controller.stop();
  demo.note("the controller is stopped, as when its pod crashed or was scaled to zero; it hands back its Lease");
  const faulty = await doctor(demo, true);
  const first = faulty.report.checks.find((c) => c.name === faulty.report.firstFailure);
  demo.check(faulty.code === 1 && !faulty.report.ok, "doctor exits 1");
  demo.check(first !== undefined && /^controller-/.test(first.name), `the first broken link is the controller: ${first ? `${first.name}: ${first.message}` : "none named"}`);
  demo.check(first?.fix !== undefined && first.fix.length > 0, `with the fix: ${first?.fix ?? ""}`);

  demo.shown(controller.commandLine);
  await controller.start();
  // The new instance takes the Lease and gets ready; doctor passes once it leads.
  const holder = () => (demo.stored("leases.coordination.k8s.io", "sealbridge", "sealbridge-controller")?.["spec"] as { holderIdentity?: string } | undefined)?.holderIdentity;
  await demo.eventually(() => Boolean(holder()), "the restarted controller to take its Lease");
  const fixed = await demo.eventually(async () => {
    const r = await doctor(demo, false);
    return r.code === 0 ? r : undefined;
  }, "doctor to pass after the restart");
  demo.shown("sealbridge doctor -n sealbridge -o json");
  demo.check(fixed.report.ok && fixed.report.firstFailure === null, "controller started again: doctor finds no broken link (exit 0)");
}
