// The DNS wire codec: fast-check round trips, RFC 1035 compression, and malformed input as clear errors.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeMessage, encodeMessage, type DnsMessage } from "../../../../src/acme/dns/wire/message.js";
import { decodeName, encodeName } from "../../../../src/acme/dns/wire/name.js";
import type { Rdata, ResourceRecord } from "../../../../src/acme/dns/wire/record.js";
import { DnsWireError } from "../../../../src/acme/dns/wire/wire-error.js";

const label = fc.stringMatching(/^[a-z0-9_-]{1,20}$/);
const name = fc.array(label, { minLength: 0, maxLength: 5 }).map((ls) => ls.join("."));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const ipv6 = fc.ipV6().map((a) => new URL(`http://[${a}]`).hostname.slice(1, -1));
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));
const latin1 = fc.uint8Array({ maxLength: 255 }).map((b) => Buffer.from(b).toString("latin1"));

const rdata: fc.Arbitrary<Rdata> = fc.oneof(
  ipv4.map((address) => ({ type: "A" as const, address })),
  ipv6.map((address) => ({ type: "AAAA" as const, address })),
  name.map((host) => ({ type: "NS" as const, host })),
  name.map((target) => ({ type: "CNAME" as const, target })),
  fc.record({ mname: name, rname: name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 }).map((s) => ({ type: "SOA" as const, ...s })),
  fc.array(latin1, { minLength: 1, maxLength: 4 }).map((strings) => ({ type: "TXT" as const, strings })),
  fc
    .record({
      algorithm: fc.constantFrom("hmac-sha256", "hmac-sha512"),
      timeSigned: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fudge: fc.nat(0xffff),
      mac: bytes(64),
      originalId: fc.nat(0xffff),
      error: fc.nat(0xffff),
      other: bytes(8),
    })
    .map((t) => ({ type: "TSIG" as const, ...t })),
  fc.constantFrom(1, 16, 255).map((code) => ({ type: "EMPTY" as const, code })),
  fc.tuple(fc.constantFrom(99, 257, 65280), bytes(30).filter((b) => b.length > 0)).map(([code, b]) => ({ type: "RAW" as const, code, bytes: b })),
);
const record: fc.Arbitrary<ResourceRecord> = fc.record({ name, class: fc.constantFrom(1, 254, 255), ttl: u32, rdata }, { noNullPrototype: true });
const message: fc.Arbitrary<DnsMessage> = fc.record({
  id: fc.nat(0xffff),
  flags: fc.record({ qr: fc.boolean(), opcode: fc.constantFrom(0, 5), aa: fc.boolean(), tc: fc.boolean(), rd: fc.boolean(), ra: fc.boolean(), rcode: fc.nat(15) }, { noNullPrototype: true }),
  questions: fc.array(fc.record({ name, type: fc.nat(0xffff), class: fc.nat(0xffff) }, { noNullPrototype: true }), { maxLength: 2 }),
  answers: fc.array(record, { maxLength: 4 }),
  authorities: fc.array(record, { maxLength: 3 }),
  additionals: fc.array(record, { maxLength: 3 }),
}, { noNullPrototype: true });

describe("DNS wire codec", () => {
  test("decode(encode(m)) is m", () => {
    fc.assert(
      fc.property(message, (m) => {
        assert.deepEqual(decodeMessage(encodeMessage(m)).message, m);
      }),
      { numRuns: 300 },
    );
  });

  test("any byte string either decodes or is a DnsWireError, never another exception", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        try {
          decodeMessage(b);
        } catch (err) {
          assert.ok(err instanceof DnsWireError, String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("every truncation of a valid message is a DnsWireError", () => {
    fc.assert(
      fc.property(message.filter((m) => m.answers.length + m.questions.length > 0), fc.nat(), (m, cut) => {
        const full = encodeMessage(m);
        const at = cut % full.length;
        assert.throws(() => decodeMessage(full.subarray(0, at)), DnsWireError);
      }),
    );
  });

  test("compressed names are followed (RFC 1035 §4.1.4 example)", () => {
    // F.ISI.ARPA at 20, FOO.F.ISI.ARPA as "FOO" + pointer to 20, the root at 40.
    const msg = Buffer.alloc(64);
    encodeName("F.ISI.ARPA").copy(msg, 20);
    Buffer.from([3, 0x46, 0x4f, 0x4f, 0xc0, 20]).copy(msg, 40);
    assert.deepEqual(decodeName(msg, 20), { name: "F.ISI.ARPA", next: 32 });
    assert.deepEqual(decodeName(msg, 40), { name: "FOO.F.ISI.ARPA", next: 46 });
  });

  const malformed: Array<[string, Buffer, RegExp]> = [
    ["a pointer to itself", Buffer.from([0xc0, 0]), /does not point to an earlier name/],
    ["a forward pointer", Buffer.from([0xc0, 5, 0, 0, 0, 0, 0]), /does not point to an earlier name/],
    ["a reserved label type", Buffer.from([0x80, 0]), /reserved label type/],
    ["a label past the end", Buffer.from([5, 0x61]), /runs past the end/],
  ];
  for (const [what, bytes, re] of malformed) {
    test(`a name with ${what} is refused`, () => assert.throws(() => decodeName(bytes, 0), re));
  }

  test("bytes after the last record are refused", () => {
    const m = encodeMessage({ id: 1, flags: { qr: true, opcode: 0, aa: true, tc: false, rd: false, ra: false, rcode: 0 }, questions: [], answers: [], authorities: [], additionals: [] });
    assert.throws(() => decodeMessage(Buffer.concat([m, Buffer.from([0])])), /1 bytes follow the last record/);
  });

  test("record data that does not match its type's layout is refused", () => {
    // An A record whose RDLENGTH says 5.
    const header = Buffer.from([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const rr = Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]);
    assert.throws(() => decodeMessage(Buffer.concat([header, rr])), /A record data has 1 bytes left over/);
  });

  test("names and TXT strings that do not fit are refused when encoding", () => {
    assert.throws(() => encodeName(`${"a".repeat(64)}.test`), /label longer than 63/);
    assert.throws(() => encodeName(Array(130).fill("ab").join(".")), /longer than 255/);
    assert.throws(() => encodeName("a..b"), /empty label/);
  });
});
