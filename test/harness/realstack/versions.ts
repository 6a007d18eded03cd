/**
 * The pinned versions of the real-stack tier and where their builds are cached: one place, so the
 * builder, the launchers and the tests agree. The cache lives outside the repository, one folder per
 * component and version (`~/.cache/sealbridge-realstack/<component>-<version>`).
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** Versions of the real components and tools (Go modules and the PyPI package). */
export const REALSTACK_VERSIONS = {
  kubernetes: "v1.37.2",
  etcd: "v3.6.16",
  openbao: "2.7.2",
  alertmanager: "v0.35.0",
  /** helm.sh/helm/v3/cmd/helm: renders charts/sealbridge in the chart test. */
  helm: "v3.22.0",
} as const;

/** A component of the real stack. */
export type RealstackComponent = keyof typeof REALSTACK_VERSIONS;

/** The cache root: `SEALBRIDGE_REALSTACK_CACHE` or `~/.cache/sealbridge-realstack`. */
export function realstackCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env["SEALBRIDGE_REALSTACK_CACHE"] ?? join(homedir(), ".cache", "sealbridge-realstack");
}

/** The folder that holds one component's build, e.g. `…/kubernetes-v1.37.2`. */
export function componentDir(component: RealstackComponent, env: NodeJS.ProcessEnv = process.env): string {
  return join(realstackCacheRoot(env), `${component}-${REALSTACK_VERSIONS[component]}`);
}
