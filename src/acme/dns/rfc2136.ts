/**
 * The RFC 2136 provider: TXT records added and deleted with DNS UPDATE messages sent straight to
 * the zone's primary server, signed with TSIG (HMAC-SHA256/512), over UDP or TCP. The server's
 * refusal (REFUSED, NOTAUTH with BADKEY/BADSIG, NOTZONE, …) becomes a DnsProviderError naming it.
 */
import { randomInt } from "node:crypto";
import type { Clock } from "../../clock.js";
import { DnsProviderError, type DnsProvider, type TxtRecord } from "./provider.js";
import { signRequest, verifyResponse, type TsigKey } from "./tsig.js";
import { exchange, serverText, type DnsServer } from "./transport.js";
import { decodeMessage, encodeMessage, OPCODE, rcodeName } from "./wire/message.js";
import { RRCLASS, RRTYPE, type ResourceRecord } from "./wire/record.js";
import { DnsWireError } from "./wire/wire-error.js";

/** The provider's settings (cert-manager's rfc2136 solver fields, the secret resolved). */
export interface Rfc2136Config {
  nameserver: DnsServer;
  /** Absent: unsigned updates (only for servers that allow them by address). */
  tsig?: TsigKey;
  transport?: "udp" | "tcp";
  timeoutMs?: number;
  /** TTL of the records created, in seconds. Default 60. */
  ttl?: number;
}

/** DNS UPDATE with TSIG. */
export class Rfc2136Provider implements DnsProvider {
  readonly kind = "rfc2136";
  readonly describe: string;
  constructor(
    private readonly config: Rfc2136Config,
    private readonly clock: Clock,
  ) {
    this.describe = `rfc2136 ${serverText(config.nameserver)}${config.tsig ? ` key ${config.tsig.name}` : " (unsigned)"}`;
  }

  /** @throws DnsProviderError when the server refuses the update; RemoteError when it does not answer. */
  async present(record: TxtRecord): Promise<void> {
    await this.update(record, { name: record.fqdn, class: RRCLASS.IN, ttl: this.config.ttl ?? 60, rdata: { type: "TXT", strings: [record.value] } }, "add");
  }

  /** @throws DnsProviderError when the server refuses the update; RemoteError when it does not answer. */
  async cleanUp(record: TxtRecord): Promise<void> {
    // Class NONE with the record's data deletes exactly that record (RFC 2136 §2.5.4).
    await this.update(record, { name: record.fqdn, class: RRCLASS.NONE, ttl: 0, rdata: { type: "TXT", strings: [record.value] } }, "delete");
  }

  private async update(record: TxtRecord, change: ResourceRecord, verb: string): Promise<void> {
    const id = randomInt(0, 0x10000);
    const unsigned = encodeMessage({
      id,
      flags: { qr: false, opcode: OPCODE.UPDATE, aa: false, tc: false, rd: false, ra: false, rcode: 0 },
      questions: [{ name: record.zone, type: RRTYPE.SOA, class: RRCLASS.IN }],
      answers: [],
      authorities: [change],
      additionals: [],
    });
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const signed = this.config.tsig ? signRequest(unsigned, this.config.tsig, now) : { bytes: unsigned, mac: Buffer.alloc(0) };
    const raw = await exchange(this.config.nameserver, signed.bytes, { transport: this.config.transport ?? "udp", timeoutMs: this.config.timeoutMs });
    const decoded = decodeMessage(raw);
    const reply = decoded.message;
    if (reply.id !== id || !reply.flags.qr || reply.flags.opcode !== OPCODE.UPDATE) {
      throw new DnsWireError(`reply from ${serverText(this.config.nameserver)} is not a response to our UPDATE`);
    }
    const tsig = reply.additionals.at(-1)?.rdata;
    const tsigError = tsig?.type === "TSIG" && tsig.error !== 0 ? rcodeName(tsig.error) : undefined;
    const where = `${serverText(this.config.nameserver)} for TXT ${record.fqdn} in zone ${record.zone}${this.config.tsig ? ` with key ${this.config.tsig.name}` : ""}`;
    if (reply.flags.rcode !== 0 || tsigError) {
      const answer = tsigError ? `${rcodeName(reply.flags.rcode)}/${tsigError}` : rcodeName(reply.flags.rcode);
      throw new DnsProviderError(`DNS update (${verb}) refused: ${where} answered ${answer} (${hint(answer)})`, answer);
    }
    if (this.config.tsig) {
      const verdict = verifyResponse(raw, decoded, this.config.tsig, signed.mac, Math.floor(this.clock.now().getTime() / 1000));
      if (!verdict.ok) throw new DnsProviderError(`DNS update (${verb}) answer not trusted: ${where}: ${verdict.detail} (check the TSIG secret)`, verdict.answer);
    }
  }
}

function hint(answer: string): string {
  if (answer.endsWith("BADKEY")) return "the server does not know this TSIG key name: check tsigKeyName";
  if (answer.endsWith("BADSIG")) return "the TSIG secret or algorithm does not match the server's: check tsigSecret and tsigAlgorithm";
  if (answer.endsWith("BADTIME")) return "this machine's clock differs from the server's by more than 5 minutes";
  if (answer === "REFUSED") return "the key is not granted updates of TXT records in this zone: check the zone's update-policy";
  if (answer === "NOTZONE" || answer === "NOTAUTH") return "the server is not the primary for this zone: check nameserver and zone";
  return "check the server's logs";
}
