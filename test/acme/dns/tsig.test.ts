// TSIG (RFC 8945): fast-check properties of signing and response verification with HMAC-SHA256/512.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { signRequest, verifyResponse, type TsigKey } from "../../../src/acme/dns/tsig.js";
import { decodeMessage, encodeMessage, encodeRecord, type DnsMessage } from "../../../src/acme/dns/wire/message.js";
import { encodeName } from "../../../src/acme/dns/wire/name.js";

const key: fc.Arbitrary<TsigKey> = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}(\.[a-z]{2,5})?$/),
  algorithm: fc.constantFrom("hmac-sha256" as const, "hmac-sha512" as const),
  secret: fc.uint8Array({ minLength: 16, maxLength: 64 }).map((b) => Buffer.from(b)),
});
const base = (id: number, qr: boolean): DnsMessage => ({
  id,
  flags: { qr, opcode: 5, aa: false, tc: false, rd: false, ra: false, rcode: 0 },
  questions: [{ name: "example.test", type: 6, class: 1 }],
  answers: [],
  authorities: qr ? [] : [{ name: "_acme-challenge.example.test", class: 1, ttl: 60, rdata: { type: "TXT", strings: ["v"] } }],
  additionals: [],
});

/** What a server does (RFC 8945 §5.3): sign the response with the request MAC prefixed. */
function serverSign(response: Buffer, k: TsigKey, requestMac: Buffer, time: number, originalId: number): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(requestMac.length);
  const vars = Buffer.concat([encodeName(k.name, true), Buffer.from([0, 255, 0, 0, 0, 0]), encodeName(k.algorithm, true), Buffer.from([0, 0, 0, 0, 0, 0, 1, 44, 0, 0, 0, 0])]);
  vars.writeUIntBE(time, vars.length - 12, 6);
  const mac = createHmac(k.algorithm === "hmac-sha256" ? "sha256" : "sha512", k.secret).update(prefix).update(requestMac).update(response).update(vars).digest();
  const rr = encodeRecord({ name: k.name, class: 255, ttl: 0, rdata: { type: "TSIG", algorithm: k.algorithm, timeSigned: time, fudge: 300, mac, originalId, error: 0, other: Buffer.alloc(0) } });
  const out = Buffer.concat([response, rr]);
  out.writeUInt16BE(response.readUInt16BE(10) + 1, 10);
  return out;
}

describe("TSIG", () => {
  test("a signed request carries a TSIG record whose MAC is HMAC(message ‖ variables)", () => {
    fc.assert(
      fc.property(key, fc.nat(0xffff), fc.integer({ min: 0, max: 2 ** 40 }), (k, id, time) => {
        const unsigned = encodeMessage(base(id, false));
        const { bytes, mac } = signRequest(unsigned, k, time);
        const decoded = decodeMessage(bytes);
        const tsig = decoded.message.additionals.at(-1)?.rdata;
        assert.equal(tsig?.type, "TSIG");
        if (tsig?.type !== "TSIG") return;
        assert.deepEqual(tsig.mac, mac);
        assert.equal(tsig.timeSigned, time);
        assert.equal(tsig.originalId, id);
        assert.equal(mac.length, k.algorithm === "hmac-sha256" ? 32 : 64);
        assert.deepEqual(bytes.subarray(12, unsigned.length), unsigned.subarray(12));
      }),
    );
  });

  test("a response signed by the server verifies; any flipped bit, other key or stale time does not", () => {
    fc.assert(
      fc.property(key, key, fc.nat(0xffff), fc.integer({ min: 1000, max: 2 ** 40 }), fc.nat(), (k, other, id, time, flip) => {
        const { mac } = signRequest(encodeMessage(base(id, false)), k, time);
        const response = serverSign(encodeMessage(base(id, true)), k, mac, time, id);
        assert.deepEqual(verifyResponse(response, decodeMessage(response), k, mac, time + 10), { ok: true });
        const stale = verifyResponse(response, decodeMessage(response), k, mac, time + 301);
        assert.equal(stale.ok ? "" : stale.answer, "BADTIME");
        if (other.secret.equals(k.secret) && other.algorithm === k.algorithm) return;
        const wrong = verifyResponse(response, decodeMessage(response), { ...other, name: k.name, algorithm: k.algorithm }, mac, time);
        assert.equal(wrong.ok ? "" : wrong.answer, "BADSIG");
        // Flip one bit of the header or body (not the TSIG record) and it fails.
        const tampered = Buffer.from(response);
        const at = 2 + (flip % (decodeMessage(response).lastAdditionalOffset - 2));
        tampered[at] = (tampered[at] ?? 0) ^ 1;
        let decoded;
        try {
          decoded = decodeMessage(tampered);
        } catch {
          return; // no longer a message at all
        }
        assert.equal(verifyResponse(tampered, decoded, k, mac, time).ok, false);
      }),
      { numRuns: 200 },
    );
  });

  test("a response without TSIG is UNSIGNED, one with the server's error names it", () => {
    const k: TsigKey = { name: "k", algorithm: "hmac-sha256", secret: Buffer.alloc(32, 1) };
    const plain = encodeMessage(base(7, true));
    assert.deepEqual(verifyResponse(plain, decodeMessage(plain), k, Buffer.alloc(32), 0), { ok: false, answer: "UNSIGNED", detail: "the response carries no TSIG record" });
    const badkey = Buffer.concat([plain, encodeRecord({ name: "k", class: 255, ttl: 0, rdata: { type: "TSIG", algorithm: "hmac-sha256", timeSigned: 0, fudge: 300, mac: Buffer.alloc(0), originalId: 7, error: 17, other: Buffer.alloc(0) } })]);
    badkey.writeUInt16BE(1, 10);
    const v = verifyResponse(badkey, decodeMessage(badkey), k, Buffer.alloc(32), 0);
    assert.equal(v.ok ? "" : v.answer, "BADKEY");
  });
});
