/**
 * The one adapter over npm `acme-client`: account, order, DNS-01 challenges, finalize, download,
 * each as a single request so a controller can take one step per pass. Its types stay here.
 * Trust in a private CA and the capture of errors are per call (AsyncLocalStorage), because
 * acme-client shares one axios instance process-wide; its in-process retries and sleeps are
 * turned off so that rate limits come back as AcmeRateLimitError with the time to retry.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Agent as HttpAgent } from "node:http";
import { Agent } from "node:https";
import type { Socket } from "node:net";
import acme from "acme-client";
import type { Clock } from "../clock.js";
import { RemoteError } from "../errors.js";
import { AcmeProblemError, AcmeRateLimitError, retryAfterTime } from "./acme-errors.js";

/** An order as the server reports it. */
export interface OrderView {
  url: string;
  status: "pending" | "ready" | "processing" | "valid" | "invalid";
  authorizations: string[];
  finalize: string;
  certificate?: string;
}

/** One DNS-01 challenge to satisfy: the TXT record `_acme-challenge.<identifier>` must hold `txtValue`. */
export interface Dns01Task {
  identifier: string;
  wildcard: boolean;
  authorizationUrl: string;
  authorizationStatus: string;
  challengeUrl: string;
  challengeStatus: string;
  txtValue: string;
  /** The server's problem detail when the challenge failed. */
  problem?: string;
}

interface CallContext {
  agent: Agent;
  httpAgent: HttpAgent;
  transportError?: Error;
  problem?: { status: number; type?: string; detail?: string; retryAfter?: string; url: string };
}

const calls = new AsyncLocalStorage<CallContext>();
let installed = false;

/** A plain-HTTP agent that remembers the first socket error of the call it serves (http:// directories). */
class RecordingHttpAgent extends HttpAgent {
  override createConnection(...args: Parameters<HttpAgent["createConnection"]>): ReturnType<HttpAgent["createConnection"]> {
    const socket = super.createConnection(...args) as Socket;
    const ctx = calls.getStore();
    socket.once("error", (err: Error) => {
      if (ctx && !ctx.transportError) ctx.transportError = err;
    });
    return socket as ReturnType<HttpAgent["createConnection"]>;
  }
}

/** A TLS agent that remembers the first socket error of the call it serves (TLS trust, refused connections). */
class RecordingAgent extends Agent {
  override createConnection(...args: Parameters<Agent["createConnection"]>): ReturnType<Agent["createConnection"]> {
    const socket = super.createConnection(...args) as Socket;
    const ctx = calls.getStore();
    socket.once("error", (err: Error) => {
      if (ctx && !ctx.transportError) ctx.transportError = err;
    });
    return socket as ReturnType<Agent["createConnection"]>;
  }
}

function installInterceptors(): void {
  if (installed) return;
  installed = true;
  const settings = (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings;
  settings.retryMaxAttempts = 0;
  acme.axios.interceptors.request.use((config) => {
    const ctx = calls.getStore();
    if (ctx) {
      config.httpsAgent = ctx.agent;
      config.httpAgent = ctx.httpAgent;
    }
    return config;
  });
  acme.axios.interceptors.response.use((response) => {
    const ctx = calls.getStore();
    if (ctx && response.status >= 400) {
      const data = (response.data ?? {}) as { type?: unknown; detail?: unknown };
      const header = response.headers["retry-after"] as unknown;
      ctx.problem = {
        status: response.status,
        url: String(response.config.url ?? ""),
        ...(typeof data.type === "string" ? { type: data.type } : {}),
        ...(typeof data.detail === "string" ? { detail: data.detail } : {}),
        ...(typeof header === "string" ? { retryAfter: header } : {}),
      };
    }
    return response;
  });
}

/** Options of {@link AcmeServer}. */
export interface AcmeServerOptions {
  directoryUrl: string;
  /** The account's private key, PEM. */
  accountKeyPem: string;
  /** Extra CA certificates (PEM) to trust for a private ACME server such as Pebble. */
  caPem?: string;
  clock: Clock;
  /** How long to wait before retrying after a 429 without Retry-After. Default 60 s. */
  rateLimitFallbackMs?: number;
}

/** One ACME server with one account. */
export class AcmeServer {
  private readonly client: acme.Client;
  private readonly agent: Agent;
  private readonly httpAgent = new RecordingHttpAgent({ keepAlive: false });
  private accountReady = false;

  constructor(private readonly options: AcmeServerOptions) {
    installInterceptors();
    this.agent = new RecordingAgent({ keepAlive: false, ...(options.caPem ? { ca: options.caPem } : {}) });
    this.client = new acme.Client({ directoryUrl: options.directoryUrl, accountKey: options.accountKeyPem, backoffAttempts: 1, backoffMin: 1, backoffMax: 1 });
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const ctx: CallContext = { agent: this.agent, httpAgent: this.httpAgent };
    try {
      return await calls.run(ctx, fn);
    } catch (err) {
      throw this.translate(what, ctx, err);
    }
  }

  private translate(what: string, ctx: CallContext, err: unknown): Error {
    const where = this.options.directoryUrl;
    if (ctx.transportError) {
      const code = (ctx.transportError as NodeJS.ErrnoException).code ?? ctx.transportError.message;
      const hint = /CERT|SIGNATURE|SELF_SIGNED|ISSUER/.test(code) ? "trust the server's CA with --ca-file or caBundleSecretRef" : "check that the ACME server runs and the URL is right";
      return new RemoteError(`ACME ${what} failed: ${where} unreachable (${code}) (${hint})`, { code: "AcmeUnreachable", cause: ctx.transportError });
    }
    const p = ctx.problem;
    if (p) {
      const detail = `${p.status}${p.type ? ` ${p.type.replace("urn:ietf:params:acme:error:", "")}` : ""}${p.detail ? `: ${p.detail}` : ""}`;
      if (p.status === 429 || p.type === "urn:ietf:params:acme:error:rateLimited") {
        const at = retryAfterTime(p.retryAfter, this.options.clock.now(), this.options.rateLimitFallbackMs ?? 60_000);
        return new AcmeRateLimitError(`ACME ${what} rate-limited: ${where} answered ${detail} (retrying at ${at.toISOString()})`, p.type, p.status, at);
      }
      return new AcmeProblemError(`ACME ${what} failed: ${where} answered ${detail} (see the problem detail)`, p.type, p.status);
    }
    if (err instanceof RemoteError) return err;
    return new RemoteError(`ACME ${what} failed: ${where}: ${err instanceof Error ? err.message : String(err)} (check the ACME server)`, { code: "AcmeFailed", cause: err });
  }

  /**
   * Registers the account (or finds the one this key already has), agreeing to the terms.
   * @returns the account URL. @throws AcmeProblemError, AcmeRateLimitError, RemoteError.
   */
  async account(email: string | undefined): Promise<string> {
    return this.call("account registration", async () => {
      if (!this.accountReady) {
        await this.client.createAccount({ termsOfServiceAgreed: true, ...(email ? { contact: [`mailto:${email}`] } : {}) });
        this.accountReady = true;
      }
      return this.client.getAccountUrl();
    });
  }

  /** Creates an order for `dnsNames`. @throws AcmeProblemError, AcmeRateLimitError, RemoteError. */
  async createOrder(dnsNames: string[]): Promise<OrderView> {
    return this.call("new order", async () => view(await this.client.createOrder({ identifiers: dnsNames.map((value) => ({ type: "dns", value })) })));
  }

  /** The order at `url` as the server sees it now. @throws AcmeProblemError, RemoteError. */
  async order(url: string): Promise<OrderView> {
    return this.call("order lookup", async () => view(await this.client.getOrder({ url } as acme.Order)));
  }

  /**
   * The DNS-01 challenge of every authorization of the order, with the TXT value each needs.
   * @throws AcmeProblemError when an authorization offers no dns-01 challenge; RemoteError.
   */
  async dns01Tasks(order: OrderView): Promise<Dns01Task[]> {
    return this.call("authorization lookup", async () => {
      const authzs = await this.client.getAuthorizations({ authorizations: order.authorizations } as acme.Order);
      return Promise.all(
        authzs.map(async (authz) => {
          const challenge = authz.challenges.find((c) => c.type === "dns-01");
          if (!challenge) throw new AcmeProblemError(`ACME authorization for ${authz.identifier.value} offers no dns-01 challenge (use a CA that supports DNS-01)`, undefined, undefined);
          const error = (challenge as { error?: { detail?: string } }).error;
          return {
            identifier: authz.identifier.value,
            wildcard: authz.wildcard === true,
            authorizationUrl: authz.url,
            authorizationStatus: authz.status,
            challengeUrl: challenge.url,
            challengeStatus: challenge.status,
            txtValue: await this.client.getChallengeKeyAuthorization(challenge),
            ...(error?.detail ? { problem: error.detail } : {}),
          };
        }),
      );
    });
  }

  /** Tells the server the challenge at `url` is ready to be validated. @throws AcmeProblemError, RemoteError. */
  async acceptChallenge(url: string): Promise<void> {
    await this.call("challenge response", () => this.client.completeChallenge({ url, type: "dns-01", status: "pending", token: "" }));
  }

  /** Sends the CSR (PEM) to the order's finalize URL. @throws AcmeProblemError, AcmeRateLimitError, RemoteError. */
  async finalize(order: OrderView, csrPem: string): Promise<OrderView> {
    return this.call("finalize", async () => view(await this.client.finalizeOrder(order as acme.Order, csrPem)));
  }

  /** Downloads the certificate chain (PEM, leaf first) of a valid order. @throws AcmeProblemError, RemoteError. */
  async certificate(order: OrderView): Promise<string> {
    return this.call("certificate download", () => this.client.getCertificate(order as acme.Order));
  }

  /**
   * The directory's `renewalInfo` URL (ACME Renewal Information, RFC 9773), or null when the
   * server offers none. @throws RemoteError when the directory cannot be read.
   */
  async renewalInfoUrl(): Promise<string | null> {
    return this.call("directory", async () => {
      const res = await acme.axios.get<Record<string, unknown>>(this.options.directoryUrl);
      const url = res.data?.["renewalInfo"];
      return typeof url === "string" ? url : null;
    });
  }

  /** GETs an ARI resource. @throws RemoteError. */
  async getJson(url: string): Promise<{ body: unknown; retryAfter?: string }> {
    return this.call("renewal information", async () => {
      const res = await acme.axios.get(url, { validateStatus: (s: number) => s === 200 });
      const retryAfter = res.headers["retry-after"] as unknown;
      return { body: res.data as unknown, ...(typeof retryAfter === "string" ? { retryAfter } : {}) };
    });
  }
}

function view(order: acme.Order): OrderView {
  return {
    url: order.url,
    status: order.status,
    authorizations: order.authorizations,
    finalize: order.finalize,
    ...(order.certificate ? { certificate: order.certificate } : {}),
  };
}

/** A new ECDSA P-256 private key (PEM) and a CSR (PEM) for `dnsNames` signed with it. */
export async function newKeyAndCsr(dnsNames: string[]): Promise<{ keyPem: string; csrPem: string }> {
  const key = await acme.crypto.createPrivateEcdsaKey("P-256");
  const [, csr] = await acme.crypto.createCsr({ commonName: dnsNames[0], altNames: dnsNames }, key);
  return { keyPem: key.toString(), csrPem: csr.toString() };
}

/** A CSR (PEM) for `dnsNames` signed with an existing key (PEM). */
export async function csrForKey(dnsNames: string[], keyPem: string): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ commonName: dnsNames[0], altNames: dnsNames }, keyPem);
  return csr.toString();
}

/** A new ECDSA P-256 account key, PEM. */
export async function newAccountKey(): Promise<string> {
  return (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
}
