/**
 * The CustomResourceDefinitions shipped in the package's `crds/` directory (next to `dist/` and
 * `src/`, copied into the image by the Dockerfile), read once per process.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { KubeObject } from "../kube/types.js";

const CRD_DIR = new URL("../../crds/", import.meta.url);
const cache = new Map<string, KubeObject>();

/**
 * The CRD object of `crds/<name>.yaml` (a fresh copy each call).
 * @throws Error when the file is missing or holds no CustomResourceDefinition named `name`.
 */
export function crdObject(name: string): KubeObject {
  let crd = cache.get(name);
  if (crd === undefined) {
    const path = fileURLToPath(new URL(`${name}.yaml`, CRD_DIR));
    const parsed = parse(readFileSync(path, "utf8")) as KubeObject | null;
    if (parsed?.kind !== "CustomResourceDefinition" || parsed.metadata?.name !== name) {
      throw new Error(`not the CustomResourceDefinition ${name}: ${path} (reinstall sealbridge: the package's crds/ directory is damaged)`);
    }
    crd = parsed;
    cache.set(name, crd);
  }
  return structuredClone(crd);
}
