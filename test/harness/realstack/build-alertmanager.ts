/**
 * Builds Alertmanager from its Go module into `componentDir("alertmanager")/alertmanager`, for the
 * alert-sink real tests. `go install …@version` does not work for Alertmanager: its `ui` package
 * embeds `app/dist`, which the module zip leaves out (the UI is built by npm in their release
 * pipeline). So the module is downloaded, copied to a scratch folder, given an empty UI `dist`
 * (the API does not need the UI), and built with `go build`.
 *
 * Run: `node --import tsx test/harness/realstack/build-alertmanager.ts` (idempotent: a present
 * binary that answers `--version` is kept).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentDir, REALSTACK_VERSIONS } from "./versions.js";

const MODULE = "github.com/prometheus/alertmanager";

/** The path of the built binary. */
export function alertmanagerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return join(componentDir("alertmanager", env), "alertmanager");
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

/**
 * Builds the binary unless it is already there.
 * @throws Error when `go` fails (its output is on stderr).
 */
export function buildAlertmanager(env: NodeJS.ProcessEnv = process.env): string {
  const binary = alertmanagerBinary(env);
  if (existsSync(binary)) return binary;
  const version = REALSTACK_VERSIONS.alertmanager;
  const info = JSON.parse(execFileSync("go", ["mod", "download", "-json", `${MODULE}@${version}`], { encoding: "utf8", env })) as { Dir: string };
  const scratch = mkdtempSync(join(tmpdir(), "sealbridge-alertmanager-"));
  try {
    const src = join(scratch, "src");
    cpSync(info.Dir, src, { recursive: true });
    makeWritable(src);
    for (const ui of ["elm", "mantine"]) {
      mkdirSync(join(src, "ui", "app", "dist", ui), { recursive: true });
      writeFileSync(join(src, "ui", "app", "dist", ui, "index.html"), "<!doctype html><title>Alertmanager UI not built</title>\n");
    }
    mkdirSync(componentDir("alertmanager", env), { recursive: true });
    execFileSync("go", ["build", "-trimpath", "-o", binary, "./cmd/alertmanager"], { cwd: src, stdio: "inherit", env: { ...env, GOFLAGS: "-mod=mod" } });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(buildAlertmanager());
}
