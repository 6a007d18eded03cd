// Writes charts/sealbridge (all but its README) from src/install (install --export's objects):
// test/install/helm-chart.test.ts keeps the committed chart equal to this rendering.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sealbridgeChartFiles } from "../src/install/helm-chart.js";

const chart = fileURLToPath(new URL("../charts/sealbridge/", import.meta.url));
const files = sealbridgeChartFiles();
const templates = join(chart, "templates");
mkdirSync(templates, { recursive: true });
const keep = new Set(files.map((f) => f.path));
for (const name of readdirSync(templates)) if (!keep.has(`templates/${name}`)) rmSync(join(templates, name));
for (const f of files) {
  mkdirSync(dirname(join(chart, f.path)), { recursive: true });
  writeFileSync(join(chart, f.path), f.content);
}
process.stdout.write(`wrote ${files.length} files into ${chart}\n`);
