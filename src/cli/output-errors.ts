/**
 * What the CLI does when its own output cannot be written: a closed pipe (`seal … | head -c 100`)
 * ends the program quietly, as other Unix tools do; any other write error (a full disk) is one
 * line on stderr and exit code 1, never a Node stack trace.
 */

/** Human words for the write errors one meets in practice. */
const WRITE_ERRORS: Record<string, string> = {
  ENOSPC: "no space left on the device; free some space or write elsewhere",
  EDQUOT: "disk quota exceeded; free some space or write elsewhere",
  EIO: "I/O error on the device; check the disk",
  EBADF: "the output is closed; run with a writable stdout",
};

/**
 * Installs error handlers on stdout and stderr. `exit` defaults to process.exit.
 * @param streams the program's output streams
 */
export function handleOutputErrors(streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, exit: (code: number) => never = process.exit): void {
  streams.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") exit(0);
    const code = err.code ?? "write error";
    try {
      streams.stderr.write(`error: cannot write the output: stdout (${code}: ${WRITE_ERRORS[code] ?? "check where stdout goes"})\n`);
    } finally {
      exit(1);
    }
  });
  // Nowhere left to report a stderr failure: end with the code an error would have.
  streams.stderr.on("error", () => exit(1));
}
