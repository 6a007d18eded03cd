/**
 * The core of `sealbridge certs check`: loads every requested certificate (Secrets, all TLS
 * Secrets, cert-manager Certificates, endpoints, files), checks them, and returns the reports.
 * Unreachable endpoints, missing Secrets and unreadable files are reports, not exceptions.
 */
import { readFile } from "node:fs/promises";
import { InputError } from "../errors.js";
import { KubeApiError } from "../kube/errors.js";
import { SECRETS } from "../kube/resources.js";
import type { KubeClient, KubeObject } from "../kube/types.js";
import { checkCertificate, type CertificateInput, type CertificateReport } from "./certificate-report.js";
import { fetchServedChain, parseHostPort } from "./endpoint.js";
import { CERT_MANAGER_CERTIFICATES, certManagerInput, secretInputs } from "./kube-inputs.js";
import type { Thresholds } from "./thresholds.js";

/** What to check. */
export interface CheckRequest {
  secrets: string[];
  keys: string[];
  allSecrets: boolean;
  certManager: boolean;
  endpoints: string[];
  serverName?: string;
  files: string[];
  caFile?: string;
  thresholds: Thresholds;
}

/** Everything `runCheck` needs from outside. */
export interface CheckDeps {
  /**
   * Opens the Kubernetes client, called only when a Kubernetes source is asked for; `namespace`
   * is where a bare `--secret NAME` looks (the kubeconfig's namespace, else `default`).
   */
  kube(): Promise<{ client: KubeClient; namespace?: string | undefined }>;
  now(): Date;
}

/** Kubernetes lists are paged like the x509-certificate-exporter pages them. */
const PAGE = 500;

async function listAll(kube: KubeClient, res: typeof SECRETS | typeof CERT_MANAGER_CERTIFICATES, fieldSelector?: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const page = await kube.list(res, undefined, { limit: PAGE, ...(fieldSelector ? { fieldSelector } : {}), ...(cont ? { continue: cont } : {}) });
    out.push(...page.items);
    cont = page.continue || undefined;
  } while (cont);
  return out;
}

function splitRef(ref: string): { namespace?: string; name: string } {
  const parts = ref.split("/");
  if (parts.length === 1 && parts[0]) return { name: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  throw new InputError(`invalid --secret "${ref}": expected NAMESPACE/NAME (for example web/www-tls)`, { code: "InvalidFlags" });
}

/**
 * Loads and checks everything the request names.
 * @throws InputError for malformed flags (before anything is read) and for a trust bundle file
 * that cannot be read; KubeApiError when a Kubernetes list fails as a whole.
 */
export async function runCheck(req: CheckRequest, deps: CheckDeps): Promise<CertificateReport[]> {
  const secretRefs = req.secrets.map((r) => splitRef(r));
  const endpoints = req.endpoints.map((e) => {
    const hp = parseHostPort(e);
    if (hp === null) throw new InputError(`invalid --endpoint "${e}": expected HOST:PORT (for example www.example.test:443)`, { code: "InvalidFlags" });
    return { text: e, ...hp };
  });
  if (secretRefs.length + endpoints.length + req.files.length === 0 && !req.allSecrets && !req.certManager) {
    throw new InputError("certs check: nothing to check (pass --secret, --all-secrets, --cert-manager, --endpoint or --file)", { code: "InvalidFlags" });
  }
  let bundlePem: string | undefined;
  if (req.caFile !== undefined) {
    try {
      bundlePem = await readFile(req.caFile, "utf8");
    } catch {
      throw new InputError(`cannot read --ca-file: ${req.caFile} (pass a readable PEM bundle)`, { code: "InvalidFlags" });
    }
  }
  const inputs: CertificateInput[] = [];
  const needKube = secretRefs.length > 0 || req.allSecrets || req.certManager;
  const opened = needKube ? await deps.kube() : undefined;
  if (opened) {
    const kube = opened.client;
    for (const bare of secretRefs) {
      const ref = { namespace: bare.namespace ?? opened.namespace ?? "default", name: bare.name };
      const secret = await kube.get(SECRETS, ref.namespace, ref.name);
      if (secret === null) inputs.push({ source: { kind: "Secret", ...ref }, problems: [`Secret ${ref.namespace}/${ref.name} not found (check the name and namespace)`] });
      else inputs.push(...secretInputs(secret, req.keys, bundlePem));
    }
    if (req.allSecrets) for (const s of await listAll(kube, SECRETS, "type=kubernetes.io/tls")) inputs.push(...secretInputs(s, req.keys, bundlePem));
    if (req.certManager) {
      let certs: KubeObject[];
      try {
        certs = await listAll(kube, CERT_MANAGER_CERTIFICATES);
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) {
          throw new InputError("certs check --cert-manager: the cluster has no cert-manager.io/v1 Certificate resource (install cert-manager's CRDs or drop --cert-manager)", { code: "NoCertManager" });
        }
        throw err;
      }
      for (const c of certs) {
        const name = (c["spec"] as { secretName?: unknown } | undefined)?.secretName;
        const secret = typeof name === "string" ? await kube.get(SECRETS, c.metadata.namespace, name) : null;
        inputs.push(certManagerInput(c, secret));
      }
    }
  }
  for (const file of req.files) {
    try {
      inputs.push({ source: { kind: "File", name: file, key: file }, pem: await readFile(file, "utf8"), ...(bundlePem === undefined ? {} : { bundlePem }) });
    } catch {
      inputs.push({ source: { kind: "File", name: file, key: file }, problems: [`cannot read ${file} (check the path and permissions)`] });
    }
  }
  const served = await Promise.all(
    endpoints.map(async (e) => ({ e, r: await fetchServedChain({ host: e.host, port: e.port, ...(req.serverName ? { serverName: req.serverName } : {}), ...(bundlePem ? { caPem: bundlePem } : {}) }) })),
  );
  for (const { e, r } of served) {
    const source = { kind: "Endpoint" as const, name: e.text, key: e.text };
    const hostname = req.serverName ?? e.host;
    if (!r.ok) inputs.push({ source, problems: [r.message] });
    else inputs.push({ source, pem: r.pem, hostname, ...(r.authorizationError ? { authorizationError: r.authorizationError } : {}), ...(bundlePem ? { bundlePem } : {}) });
  }
  const now = deps.now();
  return inputs.map((i) => checkCertificate(i, req.thresholds, now));
}
