/**
 * One DNS query to one server: builds the question, sends it, and checks that the reply is a
 * well-formed answer to that very question.
 */
import { randomInt } from "node:crypto";
import { RemoteError } from "../../errors.js";
import { exchange, serverText, type DnsServer, type ExchangeOptions } from "./transport.js";
import { decodeMessage, encodeMessage, OPCODE, rcodeName, type DnsMessage } from "./wire/message.js";
import { canonicalName } from "./wire/name.js";
import { RRCLASS } from "./wire/record.js";
import { DnsWireError } from "./wire/wire-error.js";

/** A query's options: transport and timeout, and whether to ask for recursion. */
export interface QueryOptions extends ExchangeOptions {
  recursionDesired?: boolean;
}

/**
 * Asks `server` for records of `type` at `name`.
 * @returns the decoded reply, whatever its response code (callers decide what NXDOMAIN or REFUSED means).
 * @throws RemoteError when the server does not answer; DnsWireError when the reply is malformed
 * or does not answer our question.
 */
export async function queryServer(server: DnsServer, name: string, type: number, options: QueryOptions = {}): Promise<DnsMessage> {
  const id = randomInt(0, 0x10000);
  const request = encodeMessage({
    id,
    flags: { qr: false, opcode: OPCODE.QUERY, aa: false, tc: false, rd: options.recursionDesired ?? false, ra: false, rcode: 0 },
    questions: [{ name, type, class: RRCLASS.IN }],
    answers: [],
    authorities: [],
    additionals: [],
  });
  const raw = await exchange(server, request, options);
  const { message } = decodeMessage(raw);
  const q = message.questions[0];
  if (message.id !== id || !message.flags.qr) throw new DnsWireError(`reply from ${serverText(server)} is not a response to our query`);
  if (message.questions.length !== 1 || !q || canonicalName(q.name) !== canonicalName(name) || q.type !== type) {
    throw new DnsWireError(`reply from ${serverText(server)} answers another question than ${name}`);
  }
  return message;
}

/** A failure answer from a DNS server, e.g. SERVFAIL or REFUSED to a query. */
export class DnsAnswerError extends RemoteError {
  /** The server's answer: an RCODE name such as REFUSED, or a TSIG error such as BADKEY. */
  readonly answer: string;
  constructor(message: string, answer: string) {
    super(message, { code: "DnsAnswer" });
    this.answer = answer;
  }
}

/** Throws DnsAnswerError unless the reply's code is NOERROR or NXDOMAIN. */
export function requireAnswer(server: DnsServer, name: string, reply: DnsMessage): DnsMessage {
  const code = reply.flags.rcode;
  if (code !== 0 && code !== 3) {
    throw new DnsAnswerError(`DNS query failed: ${serverText(server)} answered ${rcodeName(code)} for ${name} (check that the server serves this zone)`, rcodeName(code));
  }
  return reply;
}
