/**
 * The interface every DNS-01 provider implements (RFC 2136, Cloudflare, DigitalOcean) and the
 * error they raise when the provider refuses: it carries the provider's answer (REFUSED,
 * NOTAUTH/BADKEY, HTTP 401, …) so status and exit codes can name it, and never the credential.
 */
import { RemoteError } from "../../errors.js";

/** One challenge TXT record: `fqdn` (after CNAME following) inside `zone`, holding `value`. */
export interface TxtRecord {
  zone: string;
  fqdn: string;
  value: string;
}

/** A DNS provider that can create and delete TXT records. */
export interface DnsProvider {
  /** `rfc2136`, `cloudflare` or `digitalocean`. */
  readonly kind: string;
  /** Where it writes, for messages: e.g. `rfc2136 127.0.0.1:53 key acme-a` (never a secret). */
  readonly describe: string;
  /**
   * Creates the record (a second call with the same value adds nothing).
   * @throws DnsProviderError when the provider refuses; RemoteError when it cannot be reached.
   */
  present(record: TxtRecord): Promise<void>;
  /**
   * Deletes the record with this value (others at the same name stay); absent is fine.
   * @throws DnsProviderError when the provider refuses; RemoteError when it cannot be reached.
   */
  cleanUp(record: TxtRecord): Promise<void>;
}

/** The provider answered with a refusal. */
export class DnsProviderError extends RemoteError {
  /** The provider's answer as a short token: `REFUSED`, `NOTAUTH/BADKEY`, `HTTP 401`. */
  readonly answer: string;
  constructor(message: string, answer: string, options?: { status?: number; cause?: unknown }) {
    super(message, { code: "DnsProviderRefused", ...(options ?? {}) });
    this.answer = answer;
  }
}
