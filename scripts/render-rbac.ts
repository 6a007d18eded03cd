// Writes deploy/rbac.yaml from src/install/rbac.ts (test/install/rbac.test.ts keeps them equal).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderRbacYaml } from "../src/install/rbac-manifest.js";

const target = fileURLToPath(new URL("../deploy/rbac.yaml", import.meta.url));
writeFileSync(target, renderRbacYaml());
process.stdout.write(`wrote ${target}\n`);
