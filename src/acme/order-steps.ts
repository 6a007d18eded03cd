/**
 * Advancing an ACME DNS-01 order by one step: create it, publish every TXT record, wait until
 * every authoritative server has them, tell the CA, wait for valid authorizations, finalize,
 * download. Each call does one stage's work and returns the new progress, so the CLI loops it
 * and the controller runs it once per pass (a restart resumes). TXT records are removed on
 * success and on failure.
 */
import type { Clock } from "../clock.js";
import { RemoteError } from "../errors.js";
import type { DnsLookupConfig } from "./dns/authoritative.js";
import { checkPropagation } from "./dns/propagation.js";
import type { DnsProvider } from "./dns/provider.js";
import { findZone, followCnames } from "./dns/authoritative.js";
import { AcmeRateLimitError } from "./acme-errors.js";
import { csrForKey, type AcmeServer } from "./acme-server.js";
import { challengeName, type OrderProgress } from "./order-progress.js";

/** What a step needs. */
export interface OrderStepContext {
  acme: AcmeServer;
  dns: DnsProvider;
  lookup: DnsLookupConfig;
  /** The zone to write in (dns01.zone), or undefined to find it by SOA. */
  zone?: string;
  email?: string;
  clock: Clock;
}

/** How one step ended. */
export type StepResult =
  /** Moved on, or still waiting at the same stage (then `waiting` says for what). */
  | { kind: "progress"; progress: OrderProgress; message: string; waiting?: string }
  | { kind: "issued"; chainPem: string; message: string }
  /** The order cannot finish: start a new one (after `retryAt` when rate-limited). */
  | { kind: "failed"; reason: string; message: string; retryAt?: Date };

async function recordFor(ctx: OrderStepContext, fqdn: string, value: string) {
  const target = await followCnames(fqdn, ctx.lookup);
  const zone = ctx.zone && (target === ctx.zone || target.endsWith(`.${ctx.zone}`)) ? ctx.zone : await findZone(target, ctx.lookup);
  return { zone, fqdn: target, value };
}

/** Removes every TXT record of the order; errors are returned as text, not thrown. */
export async function cleanUpOrder(ctx: OrderStepContext, progress: OrderProgress): Promise<string[]> {
  const problems: string[] = [];
  for (const c of progress.challenges) {
    try {
      await ctx.dns.cleanUp(await recordFor(ctx, c.fqdn, c.txtValue));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return problems;
}

async function failed(ctx: OrderStepContext, progress: OrderProgress, reason: string, message: string): Promise<StepResult> {
  const problems = await cleanUpOrder(ctx, progress);
  return { kind: "failed", reason, message: problems.length ? `${message}; TXT cleanup failed: ${problems.join("; ")}` : message };
}

/**
 * Does the work of the order's current stage (or creates the order when `progress` is undefined).
 * `keyPem` is the certificate's private key, needed at the Finalizing stage.
 * @returns the next progress, the issued chain, or a failure (rate limits become a failure with retryAt).
 * @throws RemoteError when the CA or DNS cannot be reached (the caller retries the same stage).
 */
export async function advanceOrder(ctx: OrderStepContext, dnsNames: string[], progress: OrderProgress | undefined, keyPem: string): Promise<StepResult> {
  try {
    return await step(ctx, dnsNames, progress, keyPem);
  } catch (err) {
    if (err instanceof AcmeRateLimitError) {
      if (progress) await cleanUpOrder(ctx, progress);
      return { kind: "failed", reason: "RateLimited", message: err.message, retryAt: err.retryAt };
    }
    throw err;
  }
}

async function step(ctx: OrderStepContext, dnsNames: string[], progress: OrderProgress | undefined, keyPem: string): Promise<StepResult> {
  if (!progress) {
    await ctx.acme.account(ctx.email);
    const order = await ctx.acme.createOrder(dnsNames);
    const tasks = await ctx.acme.dns01Tasks(order);
    const challenges = tasks
      .filter((t) => t.authorizationStatus !== "valid")
      .map((t) => ({ identifier: t.identifier, fqdn: challengeName(t.identifier), txtValue: t.txtValue, challengeUrl: t.challengeUrl, authorizationUrl: t.authorizationUrl }));
    const next: OrderProgress = { url: order.url, dnsNames, stage: challenges.length ? "Presenting" : "Finalizing", challenges, startedAt: ctx.clock.now().toISOString() };
    return { kind: "progress", progress: next, message: `order created: ${order.url} (${challenges.length} DNS-01 challenge${challenges.length === 1 ? "" : "s"})` };
  }
  await ctx.acme.account(ctx.email);
  switch (progress.stage) {
    case "Presenting": {
      for (const c of progress.challenges) await ctx.dns.present(await recordFor(ctx, c.fqdn, c.txtValue));
      return { kind: "progress", progress: { ...progress, stage: "Propagating" }, message: `TXT records published through ${ctx.dns.describe}: ${progress.challenges.map((c) => c.fqdn).join(", ")}` };
    }
    case "Propagating": {
      const pending: string[] = [];
      for (const c of progress.challenges) {
        const check = await checkPropagation(c.fqdn, c.txtValue, ctx.lookup);
        if (!check.ready) pending.push(`${check.fqdn}: ${check.pending.join(", ")}`);
      }
      if (pending.length) return { kind: "progress", progress, message: "waiting for the TXT records on every authoritative server", waiting: pending.join("; ") };
      // A pass replayed from a cache that has not yet seen the last status write repeats this
      // stage: accept only what the CA still holds pending (accepting a valid challenge is a 400).
      const states = new Map((await ctx.acme.dns01Tasks(await ctx.acme.order(progress.url))).map((t) => [t.challengeUrl, t.challengeStatus]));
      for (const c of progress.challenges) if ((states.get(c.challengeUrl) ?? "pending") === "pending") await ctx.acme.acceptChallenge(c.challengeUrl);
      return { kind: "progress", progress: { ...progress, stage: "Validating" }, message: "every authoritative server answers the TXT values; challenges submitted" };
    }
    case "Validating": {
      const order = await ctx.acme.order(progress.url);
      const tasks = await ctx.acme.dns01Tasks(order);
      const invalid = tasks.filter((t) => t.authorizationStatus === "invalid" || t.challengeStatus === "invalid");
      if (invalid.length || order.status === "invalid") {
        return failed(ctx, progress, "ChallengeFailed", `ACME challenge failed: ${invalid.map((t) => `${t.identifier}: ${t.problem ?? t.authorizationStatus}`).join("; ") || `order ${order.status}`} (check the DNS provider and the zone)`);
      }
      if (tasks.some((t) => t.authorizationStatus !== "valid")) return { kind: "progress", progress, message: "waiting for the CA to validate", waiting: tasks.filter((t) => t.authorizationStatus !== "valid").map((t) => t.identifier).join(", ") };
      return { kind: "progress", progress: { ...progress, stage: "Finalizing" }, message: `authorizations valid: ${tasks.map((t) => t.identifier).join(", ")}` };
    }
    case "Finalizing": {
      const order = await ctx.acme.order(progress.url);
      if (order.status === "ready") await ctx.acme.finalize(order, await csrForKey(progress.dnsNames, keyPem));
      else if (order.status === "invalid") return failed(ctx, progress, "OrderInvalid", `ACME order became invalid before finalizing: ${progress.url} (a new order is started)`);
      return { kind: "progress", progress: { ...progress, stage: "Downloading" }, message: "order finalized with the CSR" };
    }
    case "Downloading": {
      const order = await ctx.acme.order(progress.url);
      if (order.status === "processing") return { kind: "progress", progress, message: "waiting for the CA to issue", waiting: "order processing" };
      if (order.status !== "valid") return failed(ctx, progress, "OrderInvalid", `ACME order ended ${order.status}: ${progress.url} (a new order is started)`);
      const chainPem = await ctx.acme.certificate(order);
      const problems = await cleanUpOrder(ctx, progress);
      return { kind: "issued", chainPem, message: `certificate issued for ${progress.dnsNames.join(", ")}${problems.length ? `; TXT cleanup failed: ${problems.join("; ")}` : "; TXT records removed"}` };
    }
  }
  throw new RemoteError(`unknown order stage ${String((progress as { stage: unknown }).stage)}`);
}
