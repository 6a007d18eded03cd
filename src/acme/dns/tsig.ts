/**
 * TSIG (RFC 8945) with HMAC-SHA256 and HMAC-SHA512: signing a request and checking the signed
 * response. The MAC covers the message as it is without its TSIG record plus the TSIG variables;
 * a response's MAC also covers the request's MAC.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { encodeName } from "./wire/name.js";
import { encodeRecord, rcodeName, type DecodedMessage } from "./wire/message.js";
import { RRCLASS, type ResourceRecord } from "./wire/record.js";
import { canonicalName } from "./wire/name.js";

/** The TSIG algorithms supported, by their cert-manager names. */
export const TSIG_ALGORITHMS = { HMACSHA256: "hmac-sha256", HMACSHA512: "hmac-sha512" } as const;
/** A TSIG algorithm name as it goes on the wire (without the trailing dot). */
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[keyof typeof TSIG_ALGORITHMS];

/** A shared TSIG key. `secret` holds the decoded key bytes. */
export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

/** How far the signer's and verifier's clocks may differ, in seconds (RFC 8945 recommends 300). */
export const DEFAULT_FUDGE = 300;

function hashOf(algorithm: TsigAlgorithm): "sha256" | "sha512" {
  return algorithm === "hmac-sha256" ? "sha256" : "sha512";
}

function tsigVariables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  const fixed = Buffer.alloc(4 + 2 + 4);
  fixed.writeUInt16BE(RRCLASS.ANY, 0);
  fixed.writeUInt32BE(0, 2); // TTL
  const time = Buffer.alloc(6 + 2 + 2 + 2);
  time.writeUIntBE(timeSigned, 0, 6);
  time.writeUInt16BE(fudge, 6);
  time.writeUInt16BE(error, 8);
  time.writeUInt16BE(other.length, 10);
  return Buffer.concat([encodeName(key.name, true), fixed.subarray(0, 6), encodeName(key.algorithm, true), time, other]);
}

function mac(key: TsigKey, parts: Buffer[]): Buffer {
  const h = createHmac(hashOf(key.algorithm), key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * Signs `message` (its wire form, without a TSIG record) with `key` at `timeSigned` (seconds
 * since the epoch).
 * @returns the signed message (the TSIG record appended, ARCOUNT incremented) and its MAC, which
 * the response's MAC covers.
 */
export function signRequest(message: Buffer, key: TsigKey, timeSigned: number, fudge = DEFAULT_FUDGE): { bytes: Buffer; mac: Buffer } {
  const requestMac = mac(key, [message, tsigVariables(key, timeSigned, fudge, 0, Buffer.alloc(0))]);
  const record: ResourceRecord = {
    name: key.name,
    class: RRCLASS.ANY,
    ttl: 0,
    rdata: { type: "TSIG", algorithm: key.algorithm, timeSigned, fudge, mac: requestMac, originalId: message.readUInt16BE(0), error: 0, other: Buffer.alloc(0) },
  };
  const bytes = Buffer.concat([message, encodeRecord(record)]);
  bytes.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { bytes, mac: requestMac };
}

/** What checking a response's TSIG found. */
export type TsigVerdict =
  | { ok: true }
  /** `answer` is the server's TSIG error (BADKEY, BADSIG, BADTIME) or our finding (UNSIGNED, BADSIG on our side). */
  | { ok: false; answer: string; detail: string };

/**
 * Checks the TSIG record of a response to a request signed with `key` whose MAC was `requestMac`.
 * `raw` is the response as received, `decoded` its decoding; `nowSeconds` the verifier's time.
 * @returns ok when the MAC is right and the time within the fudge; otherwise the server's TSIG
 * error or what is wrong (missing record, wrong key, bad MAC, time out of range). Never throws.
 */
export function verifyResponse(raw: Uint8Array, decoded: DecodedMessage, key: TsigKey, requestMac: Buffer, nowSeconds: number): TsigVerdict {
  const last = decoded.message.additionals.at(-1);
  if (!last || last.rdata.type !== "TSIG") return { ok: false, answer: "UNSIGNED", detail: "the response carries no TSIG record" };
  const t = last.rdata;
  if (t.error !== 0) return { ok: false, answer: rcodeName(t.error), detail: `the server answered TSIG error ${rcodeName(t.error)}` };
  if (canonicalName(last.name) !== canonicalName(key.name) || canonicalName(t.algorithm) !== key.algorithm) {
    return { ok: false, answer: "BADKEY", detail: `the response is signed with key ${last.name} (${t.algorithm}), not ${key.name}` };
  }
  const unsigned = Buffer.from(raw.subarray(0, decoded.lastAdditionalOffset));
  unsigned.writeUInt16BE(t.originalId, 0);
  unsigned.writeUInt16BE(decoded.message.additionals.length - 1, 10);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(requestMac.length);
  const expected = mac(key, [prefix, requestMac, unsigned, tsigVariables(key, t.timeSigned, t.fudge, t.error, t.other)]);
  if (expected.length !== t.mac.length || !timingSafeEqual(expected, t.mac)) {
    return { ok: false, answer: "BADSIG", detail: "the response's TSIG MAC does not verify with our key" };
  }
  if (Math.abs(nowSeconds - t.timeSigned) > t.fudge) {
    return { ok: false, answer: "BADTIME", detail: `the response was signed at ${t.timeSigned}, more than ${t.fudge}s from our clock` };
  }
  return { ok: true };
}
