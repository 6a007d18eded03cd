/**
 * `npm run demo -- --keep`: after the last step, the environment stays up and the commands to
 * poke at it are printed; Ctrl-C (SIGINT) or SIGTERM ends it and everything is stopped.
 */
import type { DemoSession } from "./session.js";

/** Prints how to reach everything and waits for SIGINT/SIGTERM; `passed` says how the story ended. */
export async function keepRunning(demo: DemoSession, passed: boolean): Promise<void> {
  const lines = [
    "",
    passed ? "The environment is still running (--keep). In another shell:" : `The demo failed at step ${demo.steps}; its environment is left running for a look (--keep). In another shell:`,
    ...demo.keepNotes.map((l) => `  ${l}`),
    "  kubectl get all,sealedsecrets,agesecrets,externalsecrets,clustersecretstores -A",
    `  kubectl get events -A`,
    `Files (keys, shares, sealed manifests): ${demo.dir}`,
    "Press Ctrl-C to stop everything.",
    "",
  ];
  process.stdout.write(lines.join("\n"));
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  process.stdout.write("\nstopping…\n");
}
