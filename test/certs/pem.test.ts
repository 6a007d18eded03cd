import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodePem, parsePem } from "../../src/certs/pem.js";

describe("parsePem", () => {
  test("property: encodePem round-trips any bytes and labels", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom("CERTIFICATE", "PRIVATE KEY", "EC PRIVATE KEY", "X509 CRL"), (der, label) => {
        const { blocks, problems } = parsePem(`junk before\n${encodePem(label, der)}trailing text\n`);
        return problems.length === 0 && blocks.length === 1 && blocks[0]?.label === label && Buffer.compare(blocks[0].der, Buffer.from(der)) === 0;
      }),
    );
  });
  test("property: never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => Array.isArray(parsePem(text).blocks)));
    fc.assert(
      fc.property(fc.array(fc.constantFrom("-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "QUJD", "====", "Proc-Type: 4", ""), { maxLength: 12 }), (lines) => {
        const r = parsePem(lines.join("\n"));
        return Array.isArray(r.blocks) && Array.isArray(r.problems);
      }),
    );
  });
  test("CRLF line ends and several blocks", () => {
    const text = (encodePem("CERTIFICATE", Buffer.from("a")) + encodePem("CERTIFICATE", Buffer.from("b"))).replace(/\n/g, "\r\n");
    assert.deepEqual(parsePem(text).blocks.map((b) => b.der.toString()), ["a", "b"]);
  });
  test("broken blocks are reported with their line", () => {
    assert.deepEqual(parsePem("-----BEGIN CERTIFICATE-----\nQUJD\n").problems, ['PEM block "CERTIFICATE" at line 1 has no END line']);
    assert.deepEqual(parsePem("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n").problems, ['PEM block "CERTIFICATE" at line 1 is not valid base64']);
    assert.deepEqual(parsePem("-----BEGIN CERTIFICATE-----\nQUJD\n-----END PRIVATE KEY-----\n").problems, ['PEM block "CERTIFICATE" at line 1 ends with "END PRIVATE KEY"']);
  });
});
