/**
 * Chart.yaml, values.yaml and values.schema.json of charts/sealbridge: the values are the options
 * of `install --export` (image, features, withCompatCrds, serviceName, prometheus), plus the
 * controller's resources and whether `helm uninstall` keeps the CRDs.
 */
import { stringify } from "yaml";
import { GENERATED } from "./chart-template.js";

/** What the metadata files are made from. */
export interface ChartMetaSource {
  featureNames: readonly string[];
  version: string;
  defaultImage: string;
  defaultServiceName: string;
  /** The Deployment's container resources (undefined: the export has none, no `resources` value). */
  resources: unknown;
}

/** A file of the chart, relative to charts/sealbridge. */
interface MetaFile {
  path: string;
  content: string;
}

function comment(lines: string[]): string {
  return lines.map((l) => `# ${l}`.trimEnd()).join("\n");
}

function entry(help: string[], value: Record<string, unknown>): string {
  return `${comment(help)}\n${stringify(value, { lineWidth: 0 })}`;
}

/** The values and their JSON schema (helm validates values against it before rendering). */
export function chartMetaFiles(src: ChartMetaSource): MetaFile[] {
  const chart = {
    apiVersion: "v2",
    name: "sealbridge",
    description: "sealbridge controller: SealedSecrets and AgeSecrets unsealed, Vault/OpenBao synced (ESO-compatible), certificates checked and issued. Renders the objects of `sealbridge install --export`.",
    type: "application",
    version: src.version,
    appVersion: src.version,
    keywords: ["sealed-secrets", "age", "external-secrets", "vault", "openbao", "certificates", "acme"],
  };
  const values = [
    comment([GENERATED, "Each value is an option of `sealbridge install --export`; the chart renders the same objects (without the Namespace: use --create-namespace)."]),
    entry(["The controller image (--image)."], { image: src.defaultImage }),
    entry([`The features to enable (--features): ${src.featureNames.join(", ")}. core is always on; each feature brings its CRDs, RBAC rules and reconcilers.`], { features: [...src.featureNames] }),
    entry(["Also install the CRDs of the projects sealbridge is compatible with (--with-compat-crds): bitnami.com SealedSecret", "and the external-secrets.io ExternalSecret, SecretStore, ClusterSecretStore. Leave false when sealed-secrets or ESO own them."], { withCompatCrds: false }),
    entry(["The Service kubeseal finds with --controller-name (--service-name); for a drop-in of sealed-secrets use", "sealed-secrets-controller and install into kube-system (helm --namespace kube-system)."], { serviceName: src.defaultServiceName }),
    entry(["A ServiceMonitor and the PrometheusRule with the certificate, sync-failure and sealed-Vault alerts (--prometheus);", "needs the prometheus-operator CRDs (monitoring.coreos.com)."], { prometheus: false }),
    ...(src.resources !== undefined ? [entry(["The controller container's resources."], { resources: src.resources })] : []),
    entry(["Keep the CRDs on `helm uninstall` (annotation helm.sh/resource-policy: keep): deleting a CRD deletes every object", "of its kind, so every SealedSecret, AgeSecret and ExternalSecret. false renders the CRDs exactly as install --export."], { keepCrds: true }),
  ].join("\n");
  const schema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "sealbridge chart values (the options of sealbridge install --export)",
    type: "object",
    additionalProperties: false,
    required: ["image", "features", "withCompatCrds", "serviceName", "prometheus", "keepCrds", ...(src.resources !== undefined ? ["resources"] : [])],
    properties: {
      image: { description: "controller image reference (--image)", type: "string", minLength: 1, pattern: '^[^\\s"\\\\]+$' },
      features: { description: "features to enable (--features); core is always on", type: "array", uniqueItems: true, items: { type: "string", enum: [...src.featureNames] } },
      withCompatCrds: { description: "also install the bitnami.com and external-secrets.io CRDs (--with-compat-crds)", type: "boolean" },
      serviceName: { description: "the Service kubeseal finds (--service-name), a DNS-1035 label", type: "string", maxLength: 63, pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$" },
      prometheus: { description: "a ServiceMonitor and the PrometheusRule (--prometheus)", type: "boolean" },
      ...(src.resources !== undefined ? { resources: { description: "the controller container's resources", type: "object" } } : {}),
      keepCrds: { description: "annotate the CRDs with helm.sh/resource-policy: keep", type: "boolean" },
    },
  };
  return [
    { path: "Chart.yaml", content: `${comment([GENERATED])}\n${stringify(chart, { lineWidth: 0 })}` },
    { path: "values.yaml", content: values },
    { path: "values.schema.json", content: `${JSON.stringify(schema, null, 2)}\n` },
  ];
}
