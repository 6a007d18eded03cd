import { test } from "node:test";
import assert from "node:assert/strict";
import { runChain } from "../../src/doctor/chain.js";
import { formatReport } from "../../src/doctor/report-format.js";
import { healthy } from "./observed-builder.js";

test("text: the first broken link and its fix come first, then one line per link, then the count", () => {
  const text = formatReport(runChain(healthy({ lease: { ok: true, value: null } })));
  const lines = text.split("\n");
  assert.match(lines[0] ?? "", /^first broken link: controller-lease: no Lease sealbridge\/sealbridge-controller/);
  assert.match(lines[1] ?? "", /^fix: start the controller/);
  assert.ok(lines.some((l) => /^FAIL  controller-lease /.test(l)));
  assert.ok(lines.some((l) => /^skip  secret-stores +skipped: needs a leading controller$/.test(l)));
  assert.match(text, /\d+ broken link\(s\)/);
});

test("text: a healthy run says so, items only under warnings and failures", () => {
  const text = formatReport(runChain(healthy({ cert: { answered: true, status: 200, body: "junk" } })));
  assert.doesNotMatch(formatReport(runChain(healthy({ stores: { ok: true, value: [] } }))), /^- /m);
  assert.match(text, /^FAIL  sealing-cert/m);
  const fine = formatReport({ apiVersion: "sealbridge.io/doctor/v1", ok: true, firstFailure: null, checkedAt: "x", checks: [{ name: "a", status: "ok", message: "fine", items: [{ object: "o", status: "ok", message: "m" }] }] });
  assert.equal(fine, "ok    a  fine\n\nno broken link\n");
});
