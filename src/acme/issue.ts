/**
 * One-off issuance to files (`sealbridge certs issue`): runs the order's steps to the end,
 * printing a progress line per step, polling waits with capped backoff through an injected
 * sleep, and returns the chain and the key for the caller to write.
 */
import type { Clock } from "../clock.js";
import { RemoteError } from "../errors.js";
import type { DnsLookupConfig } from "./dns/authoritative.js";
import type { DnsProvider } from "./dns/provider.js";
import { AcmeServer, newAccountKey, newKeyAndCsr } from "./acme-server.js";
import { advanceOrder, cleanUpOrder } from "./order-steps.js";
import type { OrderProgress } from "./order-progress.js";

/** What {@link issueCertificate} needs. */
export interface IssueRequest {
  directoryUrl: string;
  email?: string;
  dnsNames: string[];
  dns: DnsProvider;
  lookup: DnsLookupConfig;
  zone?: string;
  caPem?: string;
  /** An existing account key (PEM); a new one is made when absent. */
  accountKeyPem?: string;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  progress: (line: string) => void;
  /** Give up waiting after this long in total. Default 5 minutes. */
  timeoutMs?: number;
}

/** The issued certificate. */
export interface Issued {
  chainPem: string;
  keyPem: string;
  accountKeyPem: string;
}

/**
 * Issues a certificate for `dnsNames` over DNS-01.
 * @throws RemoteError with the CA's or DNS server's answer when a step fails (TXT records are
 * removed first), or when waiting takes longer than the timeout.
 */
export async function issueCertificate(req: IssueRequest): Promise<Issued> {
  const accountKeyPem = req.accountKeyPem ?? (await newAccountKey());
  const acme = new AcmeServer({ directoryUrl: req.directoryUrl, accountKeyPem, clock: req.clock, ...(req.caPem ? { caPem: req.caPem } : {}) });
  const ctx = { acme, dns: req.dns, lookup: req.lookup, clock: req.clock, ...(req.zone ? { zone: req.zone } : {}), ...(req.email ? { email: req.email } : {}) };
  const { keyPem } = await newKeyAndCsr(req.dnsNames);
  let progress: OrderProgress | undefined;
  let delay = 100;
  let waited = 0;
  const budget = req.timeoutMs ?? 300_000;
  try {
    for (;;) {
      const result = await advanceOrder(ctx, req.dnsNames, progress, keyPem);
      if (result.kind === "issued") {
        req.progress(result.message);
        return { chainPem: result.chainPem, keyPem, accountKeyPem };
      }
      if (result.kind === "failed") {
        progress = undefined;
        throw new RemoteError(`${result.message}${result.retryAt ? ` (retry after ${result.retryAt.toISOString()})` : ""}`, { code: result.reason });
      }
      const moved = result.progress.stage !== progress?.stage;
      progress = result.progress;
      if (moved) {
        req.progress(result.message);
        delay = 100;
        continue;
      }
      if (waited >= budget) throw new RemoteError(`gave up after ${Math.round(waited / 1000)}s at ${progress.stage}: ${result.waiting ?? result.message} (check the DNS provider and the CA)`, { code: "IssueTimeout" });
      req.progress(`${result.message}: ${result.waiting ?? ""}`.replace(/: $/, ""));
      await req.sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, 5_000);
    }
  } catch (err) {
    if (progress) await cleanUpOrder(ctx, progress);
    throw err;
  }
}
