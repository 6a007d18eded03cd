/** The error a malformed DNS message raises. */
import { RemoteError } from "../../../errors.js";

/** A DNS message that does not follow the wire format (RFC 1035, RFC 8945). */
export class DnsWireError extends RemoteError {
  constructor(detail: string) {
    super(`malformed DNS message: ${detail} (the server or something in between sent a broken reply; check the nameserver address and port)`, {
      code: "DnsMalformed",
    });
  }
}
