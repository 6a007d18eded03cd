/**
 * The ExternalSecret of the homelab tutorials, verbatim (ESO v1beta1, a ClusterSecretStore
 * `vault-backend`, one property of `secret/data/my-app`): the manifest the lint, the controller
 * and the process tests must all accept unchanged.
 */
export const HOMELAB_EXTERNAL_SECRET = `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: { name: app-credentials, namespace: my-app }
spec:
  refreshInterval: 1h
  secretStoreRef: { name: vault-backend, kind: ClusterSecretStore }
  target: { name: app-credentials }
  data:
    - secretKey: DATABASE_URL
      remoteRef: { key: secret/data/my-app, property: database_url }
`;
