// One AcmeCertificate for the unit tests: www.example.test in namespace web, a Cloudflare solver.
import { acmeCertificateSchema, type AcmeCertificate } from "../../../src/api/acme-certificate.js";

/** The AcmeCertificate `www`, with `status` when given. */
export function acmeCertificate(status?: AcmeCertificate["status"]): AcmeCertificate {
  return acmeCertificateSchema.parse({
    apiVersion: "sealbridge.io/v1alpha1",
    kind: "AcmeCertificate",
    metadata: { name: "www", namespace: "web", uid: "u1" },
    spec: {
      dnsNames: ["www.example.test"],
      secretName: "www-tls",
      issuer: { directoryUrl: "https://acme.example.test/dir", accountKeySecretRef: { name: "acme-account" } },
      dns01: { zone: "example.test", cloudflare: { apiTokenSecretRef: { name: "cf", key: "api-token" } } },
    },
    ...(status ? { status } : {}),
  });
}
