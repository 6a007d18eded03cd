// `--dns`/`--dns-opt` parsing: cert-manager's option names, clear errors that never echo values.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../../src/clock.js";
import { buildProvider, parseKeyValues, parseServer } from "../../../src/acme/dns/provider-options.js";

const SECRET = "c2VjcmV0LWNhbmFyeS1Ba0Jj";

describe("provider options", () => {
  test("rfc2136 with cert-manager's names", () => {
    const { provider, nameserver } = buildProvider("rfc2136", { nameserver: "127.0.0.1:5353", tsigKeyName: "acme", tsigAlgorithm: "HMACSHA512", tsigSecret: SECRET }, { clock: systemClock });
    assert.equal(provider.describe, "rfc2136 127.0.0.1:5353 key acme");
    assert.deepEqual(nameserver, { host: "127.0.0.1", port: 5353 });
  });
  const bad: Array<[string, string, Record<string, string>, RegExp]> = [
    ["HMACMD5", "rfc2136", { nameserver: "ns:53", tsigKeyName: "k", tsigAlgorithm: "HMACMD5", tsigSecret: SECRET }, /tsigAlgorithm must be HMACSHA256 or HMACSHA512/],
    ["a key name without secret", "rfc2136", { nameserver: "ns:53", tsigKeyName: "k" }, /tsigKeyName and tsigSecret go together/],
    ["a non-base64 secret", "rfc2136", { nameserver: "ns:53", tsigKeyName: "k", tsigSecret: "not base64!" }, /tsigSecret must be base64/],
    ["an unknown option", "cloudflare", { apiToken: SECRET, apiKey: SECRET }, /invalid --dns-opt for cloudflare/],
    ["no token", "digitalocean", {}, /invalid --dns-opt for digitalocean: token/],
    ["an unknown provider", "route53", {}, /unknown DNS provider: --dns route53 \(use one of rfc2136, cloudflare, digitalocean\)/],
  ];
  for (const [what, name, opts, re] of bad) {
    test(`${what} is refused without the value`, () => {
      assert.throws(() => buildProvider(name, opts, { clock: systemClock }), (err: Error) => re.test(err.message) && !err.message.includes(SECRET));
    });
  }
  test("key=value flags: values may contain '='; a bare value is not echoed", () => {
    assert.deepEqual(parseKeyValues(["tsigSecret=abc==", "nameserver=ns:53"], "--dns-opt"), { tsigSecret: "abc==", nameserver: "ns:53" });
    assert.throws(() => parseKeyValues([SECRET.replace(/=/g, "")], "--dns-opt"), (err: Error) => /invalid --dns-opt #1: expected key=value/.test(err.message) && !err.message.includes(SECRET.replace(/=/g, "")));
    assert.throws(() => parseKeyValues(["a=1", "a=2"], "--dns-opt"), /given twice/);
  });
  const servers: Array<[string, { host: string; port: number } | RegExp]> = [
    ["127.0.0.1", { host: "127.0.0.1", port: 53 }],
    ["ns1.example.test:5353", { host: "ns1.example.test", port: 5353 }],
    ["[::1]:53", { host: "::1", port: 53 }],
    ["::1", /use HOST:PORT/],
    ["ns:99999", /use HOST:PORT/],
  ];
  for (const [text, expected] of servers) {
    test(`server ${text}`, () => (expected instanceof RegExp ? assert.throws(() => parseServer(text, "--dns-opt nameserver"), expected) : assert.deepEqual(parseServer(text, "x"), expected)));
  }
});
