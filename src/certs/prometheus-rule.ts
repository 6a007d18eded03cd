/**
 * The PrometheusRule for users who alert through Prometheus: the same lifetime-relative states
 * as the controller's judgement (thresholds.ts defaults), from the certificate gauges; failing
 * syncs from the counters the controller exports under ESO's and sealed-secrets' names; Vault
 * nodes that stay sealed (the VaultUnsealer's `sealbridge_vault_sealed`). The source of
 * deploy/prometheus-rule.yaml (regenerate with `npm run -s gen:prometheus-rule`) and of the rule
 * `sealbridge install --export --prometheus` prints.
 */
import { stringify } from "yaml";

const NOT_AFTER = "sealbridge_certificate_not_after_timestamp_seconds";
const NOT_BEFORE = "sealbridge_certificate_not_before_timestamp_seconds";
const RENEWAL = "sealbridge_certificate_renewal_timestamp_seconds";
const STATE = "sealbridge_certificate_state";
const LIFETIME = `(${NOT_AFTER} - ${NOT_BEFORE})`;
const WHERE = "{{ $labels.source }} {{ $labels.namespace }}/{{ $labels.name }} [{{ $labels.key }}] ({{ $labels.subject }})";

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

/** Failing ExternalSecret syncs and SealedSecret unseals (src/server/metrics.ts). */
function syncRules(): Rule[] {
  return [
    {
      alert: "ExternalSecretSyncFailing",
      expr: "sum by (namespace, name) (increase(externalsecret_sync_calls_error[10m])) > 0",
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "ExternalSecret keeps failing to sync",
        description: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} failed to sync for 10 minutes; its Secret keeps the last good value. See kubectl describe externalsecret or sealbridge doctor.",
      },
    },
    {
      alert: "SealedSecretUnsealFailing",
      expr: "sum by (namespace, reason) (increase(sealed_secrets_controller_unseal_errors_total[10m])) > 0",
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "SealedSecrets cannot be unsealed",
        description: "SealedSecrets in {{ $labels.namespace }} fail to unseal ({{ $labels.reason }}); they were sealed for another key or scope, or the Secret is not managed by sealbridge. See kubectl describe sealedsecret.",
      },
    },
  ];
}

/** Vault nodes a VaultUnsealer could not unseal. */
function vaultRules(): Rule[] {
  return [
    {
      alert: "VaultSealed",
      expr: "sealbridge_vault_sealed == 1",
      for: "10m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Vault node stays sealed",
        description: "Vault node {{ $labels.node }} of VaultUnsealer {{ $labels.namespace }}/{{ $labels.name }} has been sealed for 10 minutes; ExternalSecrets reading it keep their last value. Unseal with sealbridge vault unseal, and see kubectl describe vaultunsealer.",
      },
    },
  ];
}

/** The certificate alert rules. */
function rules(): Rule[] {
  return [
    {
      alert: "CertificateRenewalOverdue",
      expr: `time() > ${RENEWAL} + ${LIFETIME} / 30 and ${NOT_AFTER} - time() > ${LIFETIME} / 10`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Certificate not renewed after its renewal time",
        description: `${WHERE} passed its renewal time (2/3 of its lifetime, or cert-manager's renewalTime) a 30th of its lifetime ago and did not change; check its issuer (cert-manager: kubectl describe certificate).`,
      },
    },
    {
      alert: "CertificateExpiring",
      expr: `${NOT_AFTER} - time() < ${LIFETIME} / 10 and ${NOT_AFTER} - time() > 0`,
      for: "15m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Certificate has less than a tenth of its lifetime left",
        description: `${WHERE} expires in {{ $value | humanizeDuration }}; it was not renewed.`,
      },
    },
    {
      alert: "CertificateExpired",
      expr: `${NOT_AFTER} - time() <= 0`,
      for: "0m",
      labels: { severity: "critical" },
      annotations: { summary: "Certificate expired", description: `${WHERE} has expired.` },
    },
    {
      alert: "CertificateInvalid",
      expr: `${STATE}{state="Invalid"} == 1`,
      for: "15m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Certificate cannot be used",
        description: `${WHERE} is invalid (unparsable, untrusted chain, wrong hostname, not yet valid, or its endpoint is unreachable); see the CertificateCheck status or sealbridge certs check.`,
      },
    },
    {
      alert: "CertificateStaleServing",
      expr: `${STATE}{state="StaleServing"} == 1`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Endpoint serves an older certificate than its Secret holds",
        description: `${WHERE} still serves the old certificate; restart the server or annotate it with sealbridge.io/reload.`,
      },
    },
  ];
}

/** The PrometheusRule object. */
export function prometheusRule(): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "sealbridge", labels: { "app.kubernetes.io/name": "sealbridge", "app.kubernetes.io/part-of": "sealbridge", "app.kubernetes.io/component": "monitoring" } },
    spec: {
      groups: [
        { name: "sealbridge-certificates", rules: rules() },
        { name: "sealbridge-sync", rules: syncRules() },
        { name: "sealbridge-vault", rules: vaultRules() },
      ],
    },
  };
}

/** deploy/prometheus-rule.yaml's exact text. */
export function prometheusRuleYaml(): string {
  return `# Generated from src/certs/prometheus-rule.ts (npm run -s gen:prometheus-rule); do not edit.\n# sealbridge's alerts: lifetime-relative certificate alerts, failing syncs, sealed Vault nodes.\n${stringify(prometheusRule(), { lineWidth: 0 })}`;
}
