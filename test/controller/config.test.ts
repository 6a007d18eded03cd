import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkKindNames, concurrencyFor, parseConcurrency, parseControllerConfig, parseListenAddress } from "../../src/controller/config.js";
import { InputError } from "../../src/errors.js";

const base = { env: {}, hostname: "node-1", randomSuffix: "abcd" };

describe("parseControllerConfig", () => {
  test("defaults", () => {
    const c = parseControllerConfig({ ...base, flags: {} });
    assert.equal(c.kubeconfig, undefined);
    assert.equal(c.namespace, "sealbridge");
    assert.deepEqual(c.httpAddr, { host: undefined, port: 8080 });
    assert.deepEqual(c.metricsAddr, { host: undefined, port: 8081 });
    assert.equal(c.leaderElect, false);
    assert.equal(c.leaseName, "sealbridge-controller");
    assert.equal(c.leaseDurationMs, 15_000);
    assert.equal(c.leaseRenewDeadlineMs, 10_000);
    assert.equal(c.leaseRetryPeriodMs, 2_000);
    assert.equal(c.identity, "node-1_abcd");
    assert.deepEqual(c.concurrency, { default: 2, perKind: {} });
    assert.equal(c.resyncPeriodMs, 600_000);
    assert.equal(c.logLevel, "info");
    assert.equal(c.keyRenewPeriodMs, 720 * 3_600_000);
    assert.equal(c.keyPrefix, "sealed-secrets-key");
    assert.deepEqual(c.keyBackupRecipients, []);
    assert.equal(c.keyBackupConfigMap, "sealbridge-key-backup");
    assert.equal(c.reconcilers, undefined, "every registered kind runs");
    assert.deepEqual(c.verifyRateLimit, { perSecond: 2, burst: 2 }, "sealed-secrets' verify rate limit");
  });

  test("--rate-limit and --rate-limit-burst set the /v1/verify limit", () => {
    const c = parseControllerConfig({ ...base, flags: { rateLimit: "5", rateLimitBurst: "20" } });
    assert.deepEqual(c.verifyRateLimit, { perSecond: 5, burst: 20 });
  });

  const kinds = ["sealedsecret", "agesecret", "externalsecret"];

  test("--reconcilers: comma-separated and repeatable, lower-cased, named kinds only (issue 8)", () => {
    const c = parseControllerConfig({ ...base, kinds, flags: { reconcilers: ["sealedsecret, AgeSecret", "sealedsecret"], concurrency: ["agesecret=3"] } });
    assert.deepEqual(c.reconcilers, ["sealedsecret", "agesecret"]);
    assert.throws(() => parseControllerConfig({ ...base, kinds, flags: { reconcilers: ["sealedsecret,nosuch"] } }), {
      message: 'unknown kind "nosuch": --reconcilers (known: sealedsecret, agesecret, externalsecret)',
    });
    assert.throws(() => parseControllerConfig({ ...base, kinds, flags: { reconcilers: [" , "] } }), /no kind named: --reconcilers/);
  });

  test("--concurrency with an unknown kind is refused (issue 8)", () => {
    assert.throws(() => parseControllerConfig({ ...base, kinds, flags: { concurrency: ["4", "foo=3"] } }), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.message, 'unknown kind "foo": --concurrency (known: sealedsecret, agesecret, externalsecret)');
      return true;
    });
    // Without the kinds, the service checks once its factories are known.
    const c = parseControllerConfig({ ...base, flags: { concurrency: ["foo=3"] } });
    assert.throws(() => checkKindNames(c, kinds), /unknown kind "foo": --concurrency/);
    assert.doesNotThrow(() => checkKindNames(parseControllerConfig({ ...base, flags: { concurrency: ["ExternalSecret=2"] } }), kinds));
  });

  test("flags and environment", () => {
    const c = parseControllerConfig({
      ...base,
      env: { KUBECONFIG: "/tmp/a:/tmp/b", POD_NAMESPACE: "ops", POD_NAME: "sealbridge-7f9", SEALBRIDGE_LOG_LEVEL: "debug" },
      flags: {
        httpAddr: "127.0.0.1:0",
        metricsAddr: "[::1]:9100",
        leaderElect: true,
        leaseDuration: "2s",
        leaseRenewDeadline: "1500ms",
        leaseRetryPeriod: "200ms",
        concurrency: ["3", "sealedsecret=4,ExternalSecret=8"],
        resyncPeriod: "1h30m",
        keyRenewPeriod: "0",
        keyBackupRecipient: ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"],
      },
    });
    assert.equal(c.kubeconfig, "/tmp/a");
    assert.equal(c.namespace, "ops");
    assert.equal(c.identity, "sealbridge-7f9");
    assert.equal(c.logLevel, "debug");
    assert.deepEqual(c.httpAddr, { host: "127.0.0.1", port: 0 });
    assert.deepEqual(c.metricsAddr, { host: "::1", port: 9100 });
    assert.equal(c.leaseDurationMs, 2000);
    assert.equal(c.resyncPeriodMs, 5_400_000);
    assert.equal(c.keyRenewPeriodMs, 0);
    assert.equal(concurrencyFor(c.concurrency, "sealedsecret"), 4);
    assert.equal(concurrencyFor(c.concurrency, "externalsecret"), 8);
    assert.equal(concurrencyFor(c.concurrency, "agesecret"), 3);
    assert.equal(c.keyBackupRecipients.length, 1);
  });

  test("flag wins over environment", () => {
    const c = parseControllerConfig({ ...base, env: { KUBECONFIG: "/env", POD_NAMESPACE: "envns" }, flags: { kubeconfig: "/flag", namespace: "flagns", logLevel: "warn" } });
    assert.equal(c.kubeconfig, "/flag");
    assert.equal(c.namespace, "flagns");
    assert.equal(c.logLevel, "warn");
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ["bad duration", { resyncPeriod: "10" }, /--resync-period/],
    ["day unit", { keyRenewPeriod: "30d" }, /--key-renew-period/],
    ["bad address", { httpAddr: "localhost" }, /--http-addr/],
    ["port out of range", { metricsAddr: ":70000" }, /--metrics-addr/],
    ["bad namespace", { namespace: "Not_A_Label" }, /--namespace/],
    ["bad recipient", { keyBackupRecipient: ["AGE-SECRET-KEY-1XYZ"] }, /--key-backup-recipient/],
    ["bad log level", { logLevel: "loud" }, /--log-level/],
    ["lease timing", { leaseDuration: "5s", leaseRenewDeadline: "10s" }, /leader election timing/],
    ["concurrency zero", { concurrency: ["sealedsecret=0"] }, /--concurrency/],
    ["rate limit zero", { rateLimit: "0" }, /--rate-limit \(use a whole number from 1 to 10000\)/],
    ["rate limit burst not a number", { rateLimitBurst: "lots" }, /--rate-limit-burst/],
  ];
  for (const [name, flags, pattern] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(() => parseControllerConfig({ ...base, flags }), (err: unknown) => {
        assert.ok(err instanceof InputError, String(err));
        assert.match(err.message, pattern);
        return true;
      });
    });
  }

  test("invalid values are not echoed when they look like secrets", () => {
    assert.throws(() => parseControllerConfig({ ...base, flags: { keyBackupRecipient: ["AGE-SECRET-KEY-1CANARYVALUE"] } }), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.doesNotMatch(err.message, /CANARYVALUE/);
      return true;
    });
  });
});

describe("parseListenAddress", () => {
  test("forms", () => {
    assert.deepEqual(parseListenAddress(":8080", "x"), { host: undefined, port: 8080 });
    assert.deepEqual(parseListenAddress("0.0.0.0:1", "x"), { host: "0.0.0.0", port: 1 });
    assert.deepEqual(parseListenAddress("[::]:443", "x"), { host: "::", port: 443 });
    assert.throws(() => parseListenAddress("8080", "x"), InputError);
  });
});

describe("parseConcurrency", () => {
  test("default and per-kind", () => {
    assert.deepEqual(parseConcurrency(["default=5", "a=1"], 2), { default: 5, perKind: { a: 1 } });
    assert.throws(() => parseConcurrency(["a=x"], 2), InputError);
    assert.throws(() => parseConcurrency(["=3"], 2), InputError);
    assert.throws(() => parseConcurrency(["a=257"], 2), InputError);
  });
});
