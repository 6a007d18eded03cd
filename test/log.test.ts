import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { controllerLogger, createLogger, scrubText, scrubValue } from "../src/log.js";

const CANARY = "CANARY-s3cr3t-value-9f8e7d";

function capture(): { lines: () => Array<Record<string, unknown>>; raw: () => string; stream: Writable } {
  let raw = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw += chunk.toString();
      cb();
    },
  });
  return { stream, raw: () => raw, lines: () => raw.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("log redaction", () => {
  test("secret fields are redacted at any depth, in fields and child bindings", () => {
    const out = capture();
    const log = controllerLogger(createLogger({ level: "debug", destination: out.stream }));
    log.info({ secret: { metadata: { name: "db" }, data: { password: CANARY }, stringData: { x: CANARY } } }, "applied");
    log.warn({ nested: [{ token: CANARY }, { headers: { Authorization: `Bearer ${CANARY}` } }] }, "w");
    log.child({ password: CANARY }).error({ encryptedData: { a: CANARY } }, "e");
    const raw = out.raw();
    assert.doesNotMatch(raw, new RegExp(CANARY));
    const [first] = out.lines();
    assert.deepEqual((first!.secret as Record<string, unknown>).metadata, { name: "db" }, "non-secret fields kept");
    assert.equal((first!.secret as Record<string, unknown>).data, "[REDACTED]");
    assert.equal(first!.level, "info");
    assert.equal(first!.msg, "applied");
  });

  test("secret-shaped values are scrubbed in messages and errors", () => {
    const out = capture();
    const log = controllerLogger(createLogger({ level: "info", destination: out.stream }));
    const pem = `-----BEGIN PRIVATE KEY-----\nMIIE${CANARY}\n-----END PRIVATE KEY-----`;
    log.info({ err: new Error(`bad key ${pem}`) }, `loaded AGE-SECRET-KEY-1QQQQ${CANARY.toUpperCase().replace(/[^A-Z0-9]/g, "")}`);
    log.info({ note: "jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.c2lnbmF0dXJl" }, "x");
    assert.doesNotMatch(out.raw(), /CANARY|eyJzdWIi|MIIE/);
    assert.match(out.raw(), /\[REDACTED\]/);
  });

  test("scrubValue keeps plain data and redacts buffers", () => {
    assert.deepEqual(scrubValue({ key: "ns/name", count: 3, ok: true, list: ["a"] }), { key: "ns/name", count: 3, ok: true, list: ["a"] });
    assert.deepEqual(scrubValue({ payload: Buffer.from(CANARY) }), { payload: "[REDACTED]" });
    assert.equal(scrubText("nothing secret here"), "nothing secret here");
  });

  test("level filtering", () => {
    const out = capture();
    const log = controllerLogger(createLogger({ level: "warn", destination: out.stream }));
    log.info({}, "hidden");
    log.warn({}, "shown");
    assert.deepEqual(out.lines().map((l) => l.msg), ["shown"]);
  });
});
