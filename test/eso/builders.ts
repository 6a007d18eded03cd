// Builders for ExternalSecret fixtures used by the eso tests.
import { externalSecretSchema, type ExternalSecret } from "../../src/api/external-secret.js";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

/** An ExternalSecret parsed through the real schema, from a raw manifest `spec`. */
export function externalSecret(spec: Record<string, unknown>, meta: DeepPartial<ExternalSecret["metadata"]> = {}): ExternalSecret {
  return externalSecretSchema.parse({
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: "app-credentials", namespace: "my-app", uid: "uid-es-1", generation: 1, ...meta },
    spec,
  });
}

export const homelabSpec = {
  refreshInterval: "1h",
  secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" },
  target: { name: "app-credentials" },
  data: [{ secretKey: "DATABASE_URL", remoteRef: { key: "secret/data/my-app", property: "database_url" } }],
};

export const b64 = (s: string): string => Buffer.from(s).toString("base64");
