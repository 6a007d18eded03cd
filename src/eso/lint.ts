/**
 * Offline check of ESO manifests (`sealbridge check --eso FILE`): every ExternalSecret,
 * SecretStore and ClusterSecretStore is run through the same schema and supported-field rules
 * the controller uses, so what would fail in the cluster is reported before commit.
 */
import { externalSecretFindings, externalSecretSchema } from "../api/external-secret.js";
import type { Finding } from "../api/field-rules.js";
import { ESO_GROUP, secretStoreFindings, secretStoreSchema } from "../api/secret-store.js";
import { parseManifestDocuments } from "../manifest/documents.js";
import { issuePath } from "../zod-issues.js";

/** A problem in one document of a file. */
export interface LintFinding extends Finding {
  source: string;
  /** 0-based document index. */
  document: number;
  /** `Kind namespace/name` of the object. */
  object: string;
}

const SUPPORTED_VERSIONS = new Set([`${ESO_GROUP}/v1`, `${ESO_GROUP}/v1beta1`]);

/** Turns zod issues into findings with dotted paths (never including input values). */
export function schemaFindings(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): Finding[] {
  return issues.map((issue) => {
    const path = issuePath(issue.path, "indexed");
    return { path: path || "(document)", message: `invalid ${path || "document"}: ${issue.message}` };
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Lints every `external-secrets.io` document in `text` (YAML or JSON, multi-document; `kind: List`
 * items included). Documents of other groups are skipped.
 * @returns the findings, empty when everything is supported and valid.
 * @throws InputError when the text is not valid YAML.
 */
export function lintEsoManifests(text: string, source: string): LintFinding[] {
  const out: LintFinding[] = [];
  for (const doc of parseManifestDocuments(text, source)) {
    const objects = isRecord(doc.value) && doc.value.kind === "List" && Array.isArray(doc.value.items) ? doc.value.items : [doc.value];
    for (const obj of objects) {
      if (!isRecord(obj)) continue;
      const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
      if (!apiVersion.startsWith(`${ESO_GROUP}/`)) continue;
      const kind = typeof obj.kind === "string" ? obj.kind : "(no kind)";
      const meta = isRecord(obj.metadata) ? obj.metadata : {};
      const object = `${kind} ${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${typeof meta.name === "string" ? meta.name : "(no name)"}`;
      const add = (f: Finding): void => {
        out.push({ ...f, source, document: doc.index, object });
      };
      if (!SUPPORTED_VERSIONS.has(apiVersion)) {
        add({ path: "apiVersion", message: `unsupported apiVersion ${apiVersion} (use ${ESO_GROUP}/v1 or v1beta1)` });
        continue;
      }
      if (kind === "ExternalSecret") {
        // A namespace is filled in by kubectl at apply time; lint without one.
        const parsed = externalSecretSchema.safeParse({ ...obj, metadata: { namespace: "default", ...meta } });
        if (!parsed.success) schemaFindings(parsed.error.issues).forEach(add);
        externalSecretFindings(obj.spec).forEach(add);
      } else if (kind === "SecretStore" || kind === "ClusterSecretStore") {
        const parsed = secretStoreSchema.safeParse(obj);
        if (!parsed.success) schemaFindings(parsed.error.issues).forEach(add);
        secretStoreFindings(obj.spec).forEach(add);
        if (kind === "SecretStore" && isRecord(obj.spec) && obj.spec.conditions !== undefined) {
          add({ path: "spec.conditions", message: "spec.conditions applies to ClusterSecretStore only (remove it)" });
        }
      } else {
        add({ path: "kind", message: `unsupported kind ${kind} (sealbridge serves ExternalSecret, SecretStore and ClusterSecretStore)` });
      }
    }
  }
  return out;
}

/** One line per finding: `file:doc N: Kind ns/name: message`. */
export function formatLintFinding(f: LintFinding): string {
  return `${f.source}: document ${f.document}: ${f.object}: ${f.message}`;
}
