/**
 * ACME Renewal Information (RFC 9773): the certificate's ARI identifier
 * (base64url(AKI keyIdentifier) "." base64url(serial)) and the CA's suggested renewal window,
 * read from the directory's `renewalInfo` resource when the CA offers one.
 */
import { X509Certificate } from "node:crypto";
import { authorityKeyIdentifier } from "../certs/der.js";
import { z } from "zod";
import type { AcmeServer } from "./acme-server.js";

const renewalInfoSchema = z.object({
  suggestedWindow: z.object({ start: z.string().datetime({ offset: true }), end: z.string().datetime({ offset: true }) }),
  explanationURL: z.string().optional(),
});

/** The CA's suggested renewal window. */
export interface RenewalWindow {
  start: Date;
  end: Date;
  explanationURL?: string;
}

/**
 * The ARI certificate identifier of the (first) certificate in `certPem`.
 * @returns null when it has no Authority Key Identifier.
 * @throws Error when the PEM is not a certificate.
 */
export function ariCertId(certPem: string): string | null {
  const x509 = new X509Certificate(certPem);
  const keyId = authorityKeyIdentifier(x509.raw);
  if (!keyId) return null;
  let serial = Buffer.from(x509.serialNumber.length % 2 ? `0${x509.serialNumber}` : x509.serialNumber, "hex");
  if ((serial[0] ?? 0) & 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  return `${keyId.toString("base64url")}.${serial.toString("base64url")}`;
}

/**
 * The suggested window for `certPem`, or null when the CA offers no ARI (or the certificate has
 * no AKI). @throws RemoteError when the CA offers ARI but the answer is malformed or unreachable.
 */
export async function renewalWindow(acme: AcmeServer, certPem: string): Promise<RenewalWindow | null> {
  const base = await acme.renewalInfoUrl();
  const id = base ? ariCertId(certPem) : null;
  if (!base || !id) return null;
  const { body } = await acme.getJson(`${base.replace(/\/$/, "")}/${id}`);
  const parsed = renewalInfoSchema.safeParse(body);
  if (!parsed.success) return null;
  return {
    start: new Date(parsed.data.suggestedWindow.start),
    end: new Date(parsed.data.suggestedWindow.end),
    ...(parsed.data.explanationURL ? { explanationURL: parsed.data.explanationURL } : {}),
  };
}
