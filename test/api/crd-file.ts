// Reading the CustomResourceDefinitions in crds/, for the tests that hold them against src/api/.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Schema } from "../harness/kube/schema.js";
import { fileURLToPath } from "node:url";

export const CRD_DIR = fileURLToPath(new URL("../../crds/", import.meta.url));

/** The parts of a CRD these tests read. */
export interface Crd {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string };
    versions: Array<{ name: string; served: boolean; storage: boolean; subresources?: { status?: object }; schema: { openAPIV3Schema: Schema } }>;
  };
}

/** Parses crds/<file>. */
export function loadCrd(file: string): Crd {
  return parseYaml(readFileSync(join(CRD_DIR, file), "utf8")) as Crd;
}
