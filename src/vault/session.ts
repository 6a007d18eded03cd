/**
 * A store's Vault session: logs in with the store's auth method (token, kubernetes, appRole),
 * caches the token, renews it (renew-self) once two thirds of its lease have passed, logs in again
 * when it cannot be renewed or is about to expire, and retries a request once after a 403 with a
 * fresh login. ESO logs in per reconcile (external-secrets#1273); this logs in once per store.
 */
import type { Clock } from "../clock.js";
import { type VaultHttp, loginAnswerSchema } from "./client.js";
import { VaultError, VaultFailure } from "./errors.js";

/** How a store authenticates. The functions read Kubernetes (Secrets, TokenRequest) when called. */
export type VaultAuthMethod =
  | { kind: "token"; token: () => Promise<string> }
  | { kind: "kubernetes"; mountPath: string; role: string; jwt: () => Promise<string> }
  | { kind: "appRole"; path: string; roleId: () => Promise<string>; secretId: () => Promise<string> };

interface CachedToken {
  token: string;
  obtainedMs: number;
  /** 0 = no expiry. */
  leaseMs: number;
  renewable: boolean;
}

/** A token whose remaining lease is below this counts as expired (ESO's rule). */
const MIN_REMAINING_MS = 60_000;

/** Counters for tests and metrics. */
export interface SessionStats {
  logins: number;
  renewals: number;
}

/** One store's authenticated Vault session (token cache, renewal, re-login). */
export class VaultSession {
  #cached: CachedToken | null = null;
  #pending: Promise<string> | null = null;
  readonly stats: SessionStats = { logins: 0, renewals: 0 };

  constructor(
    private readonly http: VaultHttp,
    private readonly method: VaultAuthMethod,
    private readonly clock: Clock,
    private readonly storeName: string,
  ) {}

  /**
   * A token good for at least a minute: cached, renewed or freshly obtained.
   * @throws VaultError (LoginFailed, Sealed, Unavailable…) or the auth source's error (Secret missing).
   */
  async token(): Promise<string> {
    const cached = this.#cached;
    const now = this.clock.now().getTime();
    if (cached && (cached.leaseMs === 0 || now < cached.obtainedMs + (cached.leaseMs * 2) / 3)) return cached.token;
    if (this.#pending) return this.#pending;
    this.#pending = (async () => {
      try {
        if (cached && cached.renewable && cached.leaseMs > 0 && now < cached.obtainedMs + cached.leaseMs - MIN_REMAINING_MS) {
          const renewed = await this.#renew(cached).catch(() => null);
          if (renewed) return renewed;
        }
        return await this.#login();
      } finally {
        this.#pending = null;
      }
    })();
    return this.#pending;
  }

  /** Forgets the cached token (after a 403, or when the store changed). */
  invalidate(): void {
    this.#cached = null;
  }

  /**
   * Runs `fn` with a token; on a 403 logs in again (or re-reads a static token) and retries once.
   * @throws whatever `fn` throws the second time, or login errors.
   */
  async withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const first = await this.token();
    try {
      return await fn(first);
    } catch (err) {
      if (!(err instanceof VaultError) || err.failure !== VaultFailure.Forbidden) throw err;
      if (this.#cached?.token === first) this.invalidate();
      return fn(await this.token());
    }
  }

  async #renew(cached: CachedToken): Promise<string> {
    const body = await this.http.call("POST", "auth/token/renew-self", { token: cached.token, body: {}, where: "auth/token/renew-self" });
    const parsed = loginAnswerSchema.safeParse(body);
    if (!parsed.success) throw new VaultError(VaultFailure.BadResponse, this.storeName, "auth/token/renew-self", 200);
    this.stats.renewals++;
    this.#cached = {
      token: cached.token,
      obtainedMs: this.clock.now().getTime(),
      leaseMs: parsed.data.auth.lease_duration * 1000,
      renewable: parsed.data.auth.renewable,
    };
    return cached.token;
  }

  async #login(): Promise<string> {
    const m = this.method;
    const started = this.clock.now().getTime();
    if (m.kind === "token") {
      const token = (await m.token()).trim();
      this.#cached = { token, obtainedMs: started, leaseMs: 0, renewable: false };
      this.stats.logins++;
      return token;
    }
    const [path, body] =
      m.kind === "kubernetes"
        ? [`auth/${trimSlashes(m.mountPath)}/login`, { role: m.role, jwt: await m.jwt() }]
        : [`auth/${trimSlashes(m.path)}/login`, { role_id: await m.roleId(), secret_id: await m.secretId() }];
    const answer = await this.http.call("POST", path, { body, login: true, where: path });
    const parsed = loginAnswerSchema.safeParse(answer);
    if (!parsed.success) throw new VaultError(VaultFailure.BadResponse, this.storeName, path, 200);
    this.stats.logins++;
    this.#cached = {
      token: parsed.data.auth.client_token,
      obtainedMs: started,
      leaseMs: parsed.data.auth.lease_duration * 1000,
      renewable: parsed.data.auth.renewable,
    };
    return parsed.data.auth.client_token;
  }
}

function trimSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, "");
}
