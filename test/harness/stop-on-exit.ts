/**
 * Stops a started environment when the launcher is told to (SIGTERM, SIGINT) or when whatever
 * started it goes away without signalling (npm killed with SIGKILL, a shell that does not forward
 * SIGTERM), rather than linger as an orphan holding ports; exits 0 after a clean stop, else 1.
 */
export function stopOnSignalOrOrphan(stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown();
  }, 500).unref();
}
