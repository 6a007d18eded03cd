// The scanner side of bench/certs-10k.mjs: the compiled TlsSecretScanner with the certificate
// gauges on a prom-client registry, against the kubeconfig given. Prints
// `{"ms":T,"series":S,...}` once every TLS Secret is listed, judged and its gauges set; then on
// "rescan" re-judges everything (a steady rescan: same clock, nothing changed) and prints again.
import { createInterface } from "node:readline";
import { Registry } from "prom-client";
import { CertificateGauges } from "../../dist/certs/certificate-metrics.js";
import { DEFAULT_THRESHOLDS } from "../../dist/certs/thresholds.js";
import { TlsSecretScanner } from "../../dist/controller/certificate-check/tls-secret-scanner.js";
import { EVENTS } from "../../dist/kube/resources.js";
import { silentLogger } from "../../dist/log.js";
import { benchClock, benchKube } from "../support/bench-controller.mjs";

const [kubeconfig] = process.argv.slice(2);
const started = performance.now();
const kube = await benchKube(kubeconfig);
const registry = new Registry();
let events = 0;
const scanner = new TlsSecretScanner({
  kube,
  log: silentLogger,
  clock: benchClock,
  gauges: new CertificateGauges(registry),
  thresholds: DEFAULT_THRESHOLDS,
  certManager: true,
  // Real Events through the API, so a steady rescan that wrote any would show in the counters.
  event: async (regarding, type, reason, message) => {
    events++;
    await kube.create(EVENTS, { metadata: { generateName: "cert-", namespace: regarding.metadata.namespace }, involvedObject: { kind: "Secret", name: regarding.metadata.name, namespace: regarding.metadata.namespace }, type, reason, message });
  },
});
await scanner.start();
const seriesOf = async () => (await registry.getSingleMetric("sealbridge_certificate_not_after_timestamp_seconds").get()).values.length;
const states = () => {
  const out = {};
  for (const r of scanner.reports()) out[r.state] = (out[r.state] ?? 0) + 1;
  return out;
};
process.stdout.write(`${JSON.stringify({ ms: Math.round(performance.now() - started), series: await seriesOf(), states: states() })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "rescan") {
    const t = performance.now();
    scanner.rescan();
    const scrape = performance.now();
    const text = await registry.metrics();
    process.stdout.write(`${JSON.stringify({ ms: Math.round(scrape - t), scrapeMs: Math.round(performance.now() - scrape), scrapeBytes: text.length, series: await seriesOf(), events })}\n`);
  } else if (line === "quit") break;
}
await scanner.stop();
kube.close?.();
process.exit(0);
