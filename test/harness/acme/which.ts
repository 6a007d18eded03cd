// Finding a real component's binary; a missing one is a failure that says how to install it.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The absolute path of `name` on PATH (plus /usr/sbin, where Debian puts named).
 * @throws Error naming the Debian package to install when it is missing.
 */
export function requireBinary(name: string, debianPackage: string, env: NodeJS.ProcessEnv = process.env): string {
  const dirs = [...(env["PATH"] ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed: these tests run the real one (apt-get install ${debianPackage}, or run .ci/run, which installs it)`);
}
