/**
 * The Vault HTTP adapter over node-vault 0.12. node-vault's types and errors stay in this file:
 * callers get parsed answers (zod) or a VaultError naming the store and path, never a body or a
 * token. One VaultHttp per store; the token is passed per request so concurrent requests never
 * race on a shared client token.
 */
import nodeVault from "node-vault";
import { z } from "zod";
import { VaultError, VaultFailure, failureForStatus } from "./errors.js";

/** How to reach one Vault. */
export interface VaultEndpoint {
  /** `https://vault.example:8200` */
  server: string;
  /** Vault Enterprise namespace (X-Vault-Namespace). */
  namespace?: string;
  /** PEM CA bundle for https servers. */
  caPem?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

interface NodeVaultRejection {
  message?: string;
  code?: string;
  response?: { statusCode?: number };
}

/** The answer to a login: the token and its lease. */
export const loginAnswerSchema = z.object({
  auth: z.object({
    client_token: z.string().min(1),
    lease_duration: z.number().nonnegative(),
    renewable: z.boolean(),
  }),
});

/** lookup-self: what we need to judge whether a token is still good. */
export const lookupSelfSchema = z.object({
  data: z.object({
    ttl: z.number(),
    renewable: z.boolean().optional(),
    type: z.string().optional(),
  }),
});

const kvV2Schema = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()).nullable(),
    metadata: z.object({ version: z.number().optional(), deletion_time: z.string().optional(), destroyed: z.boolean().optional() }).passthrough().nullable().optional(),
  }),
});
const healthSchema = z.object({ initialized: z.boolean(), sealed: z.boolean() });
const kvV1Schema = z.object({ data: z.record(z.string(), z.unknown()) });

/** A KV secret's key/value data (JSON values). */
export type KvData = { [key: string]: import("../eso/property.js").JsonValue };

/** Thin request layer over one node-vault client. */
export class VaultHttp {
  readonly #client: ReturnType<typeof nodeVault>;
  readonly #timeoutMs: number;

  constructor(
    endpoint: VaultEndpoint,
    private readonly storeName: string,
  ) {
    this.#timeoutMs = endpoint.timeoutMs ?? 10_000;
    this.#client = nodeVault({
      endpoint: endpoint.server,
      apiVersion: "v1",
      ...(endpoint.namespace ? { namespace: endpoint.namespace } : {}),
      ...(endpoint.caPem ? { requestOptions: { ca: endpoint.caPem } } : {}),
    });
    // node-vault falls back to VAULT_TOKEN / VAULT_PREFIX / VAULT_NAMESPACE from the environment: never do that.
    const client = this.#client as unknown as { token?: string; pathPrefix: string; namespace?: string };
    client.token = undefined;
    client.pathPrefix = "";
    if (!endpoint.namespace) client.namespace = undefined;
  }

  /**
   * Sends one request to `/v1/<path>`.
   * @returns the parsed JSON body (undefined for 204).
   * @throws VaultError classified from the status (or Unavailable when there was no answer).
   */
  async call(method: "GET" | "POST", path: string, opts: { token?: string; body?: object; login?: boolean; where?: string }): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (opts.token) headers["X-Vault-Token"] = opts.token;
    try {
      // client.request does not apply config.requestOptions; the timeout goes with each request.
      return (await this.#client.request({ path: `/${path}`, method, headers, timeout: this.#timeoutMs, ...(opts.body ? { json: opts.body } : {}) })) as unknown;
    } catch (err) {
      const e = err as NodeVaultRejection;
      const status = e.response?.statusCode;
      const detail = status === undefined ? (e.code ?? "request failed") : undefined;
      throw new VaultError(failureForStatus(status, opts.login ?? false), this.storeName, opts.where ?? path.replace(/\?.*$/, ""), status, {
        ...(detail ? { detail } : {}),
      });
    }
  }

  /**
   * Whether Vault is initialised, unsealed and serving (`GET sys/health?standbyok=true` answers
   * 200; vault-api.md §2.6). Unauthenticated; used to notice the end of an outage.
   * @returns false for any other answer or no answer (never throws).
   */
  async healthy(): Promise<boolean> {
    try {
      // node-vault resolves sys/health whatever the status, with the health body.
      const body = healthSchema.safeParse(await this.#client.request({ path: "/sys/health?standbyok=true", method: "GET", timeout: this.#timeoutMs }));
      return body.success && body.data.initialized && !body.data.sealed;
    } catch {
      return false;
    }
  }

  /**
   * Reads a KV secret at the logical `path` (already through ESO's path rules).
   * @returns the data, or null when the secret does not exist or its version is deleted/destroyed.
   * @throws VaultError for every other failure.
   */
  async readKv(path: string, kvVersion: "v1" | "v2", version: string | undefined, token: string): Promise<KvData | null> {
    return (await this.readKvEntry(path, kvVersion, version, token))?.data ?? null;
  }

  /**
   * Reads a KV secret with its KV v2 version number (for a check-and-set write after it).
   * @returns null when the secret does not exist or its version is deleted/destroyed.
   * @throws VaultError for every other failure.
   */
  async readKvEntry(path: string, kvVersion: "v1" | "v2", version: string | undefined, token: string): Promise<{ data: KvData; version?: number } | null> {
    const query = kvVersion === "v2" && version ? `?version=${encodeURIComponent(version)}` : "";
    let body: unknown;
    try {
      body = await this.call("GET", `${path}${query}`, { token, where: path });
    } catch (err) {
      if (err instanceof VaultError && err.failure === VaultFailure.NotFound) return null;
      throw err;
    }
    if (kvVersion === "v2") {
      const parsed = kvV2Schema.safeParse(body);
      if (!parsed.success) throw new VaultError(VaultFailure.BadResponse, this.storeName, path, 200);
      const data = parsed.data.data.data as KvData | null;
      const v = parsed.data.data.metadata?.version;
      return data === null ? null : { data, ...(typeof v === "number" ? { version: v } : {}) };
    }
    const parsed = kvV1Schema.safeParse(body);
    if (!parsed.success) throw new VaultError(VaultFailure.BadResponse, this.storeName, path, 200);
    return { data: parsed.data.data as KvData };
  }

  /**
   * Writes a KV secret at the logical `path` (already through ESO's path rules): KV v2 as
   * `{data, options: {cas}}` (check-and-set against the version read before, when given), KV v1
   * as the plain map (vault-api.md §5).
   * @throws VaultError (a CAS mismatch is a 400 BadResponse naming the path).
   */
  async writeKv(path: string, kvVersion: "v1" | "v2", data: KvData, token: string, cas?: number): Promise<void> {
    const body = kvVersion === "v2" ? { data, ...(cas === undefined ? {} : { options: { cas } }) } : data;
    await this.call("POST", path, { token, body, where: path });
  }
}
