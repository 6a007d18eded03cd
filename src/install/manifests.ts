/**
 * Everything `sealbridge install --export` prints, in apply order: the Namespace, the CRDs of the
 * enabled features, the ServiceAccount and least-privilege RBAC (src/install/rbac-manifest.ts, the
 * one RBAC source), the controller Deployment, the Service kubeseal finds, and with `prometheus`
 * a ServiceMonitor and the PrometheusRule. Pure apart from reading the package's own crds/ files;
 * the Helm chart (charts/sealbridge/) renders the same objects.
 */
import { stringify } from "yaml";
import { z } from "zod";
import { prometheusRule } from "../certs/prometheus-rule.js";
import { InputError } from "../errors.js";
import type { KubeObject } from "../kube/types.js";
import { VERSION } from "../version.js";
import { crdObject } from "./crd-files.js";
import { featureKinds } from "./feature-kinds.js";
import { rbacObjects } from "./rbac-manifest.js";
import { RBAC_FEATURE_NAMES } from "./rbac.js";
import { controllerDeployment, controllerSelector, controllerService } from "./workload.js";

/** What to install (the contract of issue 13: the chart's values mirror these). */
export interface InstallOptions {
  /** The controller's namespace (default `sealbridge`). */
  namespace: string;
  /** The controller image (default `ghcr.io/sealbridge/sealbridge:<VERSION>`). */
  image: string;
  /** RBAC feature names (default all; `core` always on). */
  features: readonly string[];
  /** Also ship the bitnami.com and external-secrets.io CRDs of the enabled features. */
  withCompatCrds: boolean;
  /** The Service's name (kubeseal `--controller-name`; drop-in: `sealed-secrets-controller`). */
  serviceName: string;
  /** Add a ServiceMonitor and the PrometheusRule. */
  prometheus: boolean;
}

/** The ServiceAccount the controller runs as. */
export const SERVICE_ACCOUNT = "sealbridge";
/** Every object carries these (uninstall finds its objects by `part-of`). */
export const INSTALL_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "sealbridge", "app.kubernetes.io/part-of": "sealbridge" };
/** Namespaces every cluster has: no Namespace object is printed for them. */
const BUILTIN_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const optionsSchema = z.object({
  namespace: z.string().max(63).regex(dnsLabel, "--namespace must be a DNS label (lower-case letters, digits and '-', at most 63)").default("sealbridge"),
  image: z.string().regex(/^[^\s]+$/, "--image must be an image reference without spaces").default(`ghcr.io/sealbridge/sealbridge:${VERSION}`),
  features: z.array(z.string()).optional(),
  withCompatCrds: z.boolean().default(false),
  serviceName: z.string().max(63).regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, "--service-name must be a DNS-1035 label (starts with a letter; lower-case letters, digits and '-', at most 63)").default("sealbridge"),
  prometheus: z.boolean().default(false),
});

/**
 * The options with defaults filled in and checked.
 * @throws InputError naming the flag that is wrong and what it accepts.
 */
export function resolveInstallOptions(opts: Partial<InstallOptions>): InstallOptions {
  const parsed = optionsSchema.safeParse(opts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`invalid install option: ${issue?.message ?? "unknown"} (fix the flag)`, { code: "InvalidInstallOption" });
  }
  const asked = parsed.data.features ?? RBAC_FEATURE_NAMES;
  for (const f of asked) {
    if (!RBAC_FEATURE_NAMES.includes(f)) {
      throw new InputError(`unknown feature "${f}": --features (use one or more of ${RBAC_FEATURE_NAMES.join(", ")})`, { code: "InvalidInstallOption" });
    }
  }
  const features = RBAC_FEATURE_NAMES.filter((f) => f === "core" || asked.includes(f));
  if (features.every((f) => featureKinds(f).reconcilers.length === 0)) {
    throw new InputError(`no feature runs a reconciler: --features ${asked.join(",") || '""'} (add one or more of ${RBAC_FEATURE_NAMES.filter((f) => f !== "core").join(", ")})`, { code: "InvalidInstallOption" });
  }
  return { ...parsed.data, features };
}

function withLabels(obj: KubeObject, labels: Readonly<Record<string, string>>): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...(obj.metadata.labels ?? {}), ...labels } } };
}

/** The controller's arguments after `controller` for the enabled features. */
export function controllerArgs(features: readonly string[]): string[] {
  const reconcilers = features.flatMap((f) => featureKinds(f).reconcilers);
  return ["--leader-elect", "--reconcilers", reconcilers.join(","), ...features.flatMap((f) => featureKinds(f).flags)];
}

function crds(o: InstallOptions): KubeObject[] {
  const names = o.features.flatMap((f) => [...featureKinds(f).crds, ...(o.withCompatCrds ? featureKinds(f).compatCrds : [])]);
  return names.map((n) => withLabels(crdObject(n), { ...INSTALL_LABELS, "app.kubernetes.io/component": "crd" }));
}

function monitoring(o: InstallOptions): KubeObject[] {
  const labels = { ...INSTALL_LABELS, "app.kubernetes.io/component": "monitoring" };
  const rule = prometheusRule() as KubeObject;
  return [
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "sealbridge", namespace: o.namespace, labels },
      spec: { selector: { matchLabels: controllerSelector() }, endpoints: [{ port: "metrics", path: "/metrics" }] },
    },
    { ...rule, metadata: { ...rule.metadata, namespace: o.namespace, labels } },
  ];
}

/**
 * The objects to install, in apply order.
 * @throws InputError for a wrong option (see resolveInstallOptions).
 */
export function installObjects(opts: Partial<InstallOptions>): KubeObject[] {
  const o = resolveInstallOptions(opts);
  const out: KubeObject[] = [];
  if (!BUILTIN_NAMESPACES.has(o.namespace)) {
    out.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: o.namespace, labels: { ...INSTALL_LABELS, "app.kubernetes.io/component": "namespace" } } });
  }
  out.push(...crds(o));
  for (const { object } of rbacObjects({ namespace: o.namespace, serviceAccount: SERVICE_ACCOUNT, features: o.features })) {
    out.push(withLabels(object as KubeObject, INSTALL_LABELS));
  }
  const workload = { namespace: o.namespace, image: o.image, serviceAccount: SERVICE_ACCOUNT, serviceName: o.serviceName, controllerArgs: controllerArgs(o.features), labels: INSTALL_LABELS };
  out.push(controllerDeployment(workload), controllerService(workload));
  if (o.prometheus) out.push(...monitoring(o));
  return out;
}

/**
 * The objects as a multi-document YAML stream (`---` between documents), headed by a comment
 * naming the options, as `install --export` prints it.
 * @throws InputError for a wrong option.
 */
export function installYaml(opts: Partial<InstallOptions>): string {
  const o = resolveInstallOptions(opts);
  const header = [
    `# sealbridge ${VERSION}: generated by \`sealbridge install --export\`; commit it to your GitOps repository.`,
    `# namespace=${o.namespace} features=${o.features.join(",")} service-name=${o.serviceName} compat-crds=${o.withCompatCrds} prometheus=${o.prometheus}`,
  ].join("\n");
  const docs = installObjects(o).map((obj) => stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `${header}\n---\n${docs.join("---\n")}`;
}
