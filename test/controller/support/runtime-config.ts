/**
 * The RuntimeConfig the in-process runtime tests start from: short lease timings (2 s lease,
 * 1.5 s renew deadline, 200 ms retry) so leader-election tests finish fast, no leader election
 * unless asked, and a resync too long to interfere.
 */
import type { RuntimeConfig } from "../../../src/controller/runtime/runtime.js";

/** The test defaults with `overrides` applied. */
export function testRuntimeConfig(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return {
    concurrency: { default: 4, perKind: {} },
    resyncPeriodMs: 600_000,
    leaderElect: false,
    namespace: "sealbridge",
    leaseName: "sealbridge-controller",
    leaseDurationMs: 2000,
    leaseRenewDeadlineMs: 1500,
    leaseRetryPeriodMs: 200,
    identity: "test",
    ...overrides,
  };
}
