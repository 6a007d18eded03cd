// Writes deploy/prometheus-rule.yaml from src/certs/prometheus-rule.ts.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prometheusRuleYaml } from "../src/certs/prometheus-rule.js";

writeFileSync(fileURLToPath(new URL("../deploy/prometheus-rule.yaml", import.meta.url)), prometheusRuleYaml());
