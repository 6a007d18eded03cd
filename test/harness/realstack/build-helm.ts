/**
 * Builds the helm CLI from its Go module into `componentDir("helm")/helm`, for the chart test
 * (test/install/helm-chart.real.test.ts renders charts/sealbridge with it). helm's go.mod has no
 * replace directives, so `go install helm.sh/helm/v3/cmd/helm@<version>` works from the module
 * proxy alone; the ldflags are those of helm's Makefile (version, clean tree, the Kubernetes
 * version helm reports as `.Capabilities.KubeVersion`, taken from the client-go it requires).
 * The binary is installed into a `.partial` folder and moved into place only when it answers
 * `helm version`, so a half build is never mistaken for a finished one.
 *
 * Run: `node --import tsx test/harness/realstack/build-helm.ts` (idempotent: a present binary that
 * reports the pinned version is kept).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentDir, REALSTACK_VERSIONS } from "./versions.js";

const MODULE = "helm.sh/helm/v3";

/** The path of the built binary. */
export function helmBinary(env: NodeJS.ProcessEnv = process.env): string {
  return join(componentDir("helm", env), "helm");
}

/**
 * Whether `reported` (what `helm version` prints) is the pinned version: exactly, or the version an
 * unstamped build of that source prints (helm's source says `v3.22` until the Makefile stamps
 * `v3.22.0`), so a hand build of the pinned module counts.
 */
export function helmVersionMatches(reported: string, pinned: string = REALSTACK_VERSIONS.helm): boolean {
  const majorMinor = /^v\d+\.\d+/.exec(pinned)?.[0];
  return reported === pinned || (majorMinor !== undefined && reported === majorMinor);
}

/** What a helm binary reports as its version, or undefined when it does not run. */
export function helmReportedVersion(binary: string): string | undefined {
  if (!existsSync(binary)) return undefined;
  try {
    return execFileSync(binary, ["version", "--template", "{{.Version}}"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

/** Whether the cached binary is there and reports the pinned version. */
export function helmBuilt(env: NodeJS.ProcessEnv = process.env): boolean {
  const reported = helmReportedVersion(helmBinary(env));
  return reported !== undefined && helmVersionMatches(reported);
}

/** The Kubernetes major and minor a client-go requirement stands for (client-go v0.X.Y is Kubernetes 1.X). */
export function kubeVersionOfGoMod(goMod: string): { major: string; minor: string } | undefined {
  const m = /^\s*k8s\.io\/client-go\s+v0\.(\d+)\.\d+/m.exec(goMod);
  return m?.[1] !== undefined ? { major: "1", minor: m[1] } : undefined;
}

/**
 * Builds the binary unless a matching one is already there.
 * @throws Error when `go` fails (its output is on stderr) or the result does not report the pinned version.
 */
export function buildHelm(env: NodeJS.ProcessEnv = process.env): string {
  const binary = helmBinary(env);
  if (helmBuilt(env)) return binary;
  const version = REALSTACK_VERSIONS.helm;
  const info = JSON.parse(execFileSync("go", ["mod", "download", "-json", `${MODULE}@${version}`], { encoding: "utf8", env })) as { GoMod?: string };
  if (info.GoMod === undefined) throw new Error(`realstack build: the module proxy gave no go.mod for ${MODULE}@${version} (check GOPROXY)`);
  const kube = kubeVersionOfGoMod(readFileSync(info.GoMod, "utf8"));
  const ldflags = [
    "-s -w",
    `-X ${MODULE}/internal/version.version=${version}`,
    `-X ${MODULE}/internal/version.gitTreeState=clean`,
    ...(kube !== undefined
      ? [
          `-X ${MODULE}/pkg/lint/rules.k8sVersionMajor=${kube.major} -X ${MODULE}/pkg/lint/rules.k8sVersionMinor=${kube.minor}`,
          `-X ${MODULE}/pkg/chartutil.k8sVersionMajor=${kube.major} -X ${MODULE}/pkg/chartutil.k8sVersionMinor=${kube.minor}`,
        ]
      : []),
  ].join(" ");
  const dir = componentDir("helm", env);
  const staged = `${dir}.partial`;
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  try {
    execFileSync("go", ["install", "-trimpath", `-ldflags=${ldflags}`, `${MODULE}/cmd/helm@${version}`], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...env, GOBIN: staged, CGO_ENABLED: "0" },
    });
    const reported = helmReportedVersion(join(staged, "helm"));
    if (reported !== version) throw new Error(`realstack build: the helm built from ${MODULE}@${version} reports version ${String(reported)} (expected ${version}; check the ldflags against helm's Makefile)`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staged, dir);
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(buildHelm());
}
