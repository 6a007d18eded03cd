/**
 * The seal-lifecycle endpoints of one Vault node (sys/init, sys/unseal, sys/seal-status,
 * sys/leader) over node-vault's request layer. Every answer is zod-parsed; every failure becomes a
 * VaultNodeError whose message never carries a body, a share or a token. The same adapter talks to
 * a node directly or through the Kubernetes API server's pod proxy (a base URL, an agent and auth
 * headers).
 */
import { Agent as HttpAgent, type Agent } from "node:http";
import nodeVault from "node-vault";
import { z } from "zod";
import { SEAL_FAILURES, VaultNodeError, describeFailure } from "./seal-errors.js";

/** How to reach one node. */
export interface SealEndpoint {
  /** How the node is named in output: its URL or `pod ns/name`. */
  label: string;
  /** Base URL that `/v1/sys/...` is appended to. */
  baseUrl: string;
  /** PEM CA bundle for https. */
  caPem?: string;
  /** Do not verify the server certificate (VAULT_SKIP_VERIFY). */
  insecureSkipVerify?: boolean;
  /** A ready agent (the Kubernetes connection's, for the pod proxy); overrides caPem/insecure. */
  agent?: Agent;
  /** Extra headers per request (the API server's Authorization). */
  headers?: () => Promise<Record<string, string>>;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
}

/** sys/seal-status (and the body of a successful sys/unseal), vault-api.md §2.4. */
export const sealStatusSchema = z.object({
  type: z.string().optional(),
  initialized: z.boolean(),
  sealed: z.boolean(),
  t: z.number().int().nonnegative(),
  n: z.number().int().nonnegative(),
  progress: z.number().int().nonnegative(),
  nonce: z.string().optional(),
  version: z.string().optional(),
  cluster_name: z.string().optional(),
  cluster_id: z.string().optional(),
  storage_type: z.string().optional(),
});
/** A parsed seal status. */
export type SealStatus = z.infer<typeof sealStatusSchema>;

const initAnswerSchema = z.object({
  keys: z.array(z.string().min(1)).min(1),
  keys_base64: z.array(z.string().min(1)).min(1),
  root_token: z.string().min(1),
});
/** What sys/init returns (secrets: handle with care, never print). */
export type InitAnswer = z.infer<typeof initAnswerSchema>;

const initStateSchema = z.object({ initialized: z.boolean() });

/** sys/leader, vault-api.md §2.7. */
export const leaderSchema = z.object({
  ha_enabled: z.boolean(),
  is_self: z.boolean().default(false),
  leader_address: z.string().default(""),
});
/** A parsed leader answer. */
export type LeaderInfo = z.infer<typeof leaderSchema>;

const errorBodySchema = z.object({ errors: z.array(z.string()) });

/** An HTTP answer: the status and Vault's error strings (kept for classification, never printed). */
interface Answer {
  status: number;
  body: unknown;
}

interface NodeVaultRejection {
  code?: string;
  response?: { statusCode?: number; body?: unknown };
}

function isKubeStatus(body: unknown): boolean {
  return typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "Status" && (body as { apiVersion?: unknown }).apiVersion === "v1";
}

/** Vault's error strings of an error answer (empty when the body is not an error envelope). */
export function errorStrings(body: unknown): string[] {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.errors : [];
}

/** The seal-lifecycle API of one node. */
export class VaultSysApi {
  readonly label: string;
  readonly #client: ReturnType<typeof nodeVault>;
  readonly #endpoint: SealEndpoint;
  readonly #plainAgent: Agent | undefined;

  constructor(endpoint: SealEndpoint) {
    this.label = endpoint.label;
    this.#endpoint = endpoint;
    // A fresh connection per request: a node that restarted must not be reached on a dead
    // keep-alive socket (Node's global agent keeps them), and these calls are rare.
    this.#plainAgent = endpoint.agent === undefined && endpoint.baseUrl.startsWith("http:") ? new HttpAgent({ keepAlive: false }) : undefined;
    const https = endpoint.baseUrl.startsWith("https:");
    this.#client = nodeVault({
      endpoint: endpoint.baseUrl,
      apiVersion: "v1",
      // node-vault's debug logger prints request bodies (an unseal key!) when DEBUG is set.
      debug: () => undefined,
      ...(https && !endpoint.agent
        ? { requestOptions: { strictSSL: endpoint.insecureSkipVerify !== true, ...(endpoint.caPem ? { ca: endpoint.caPem } : {}) } }
        : {}),
    });
    // node-vault falls back to VAULT_TOKEN / VAULT_PREFIX / VAULT_NAMESPACE: none apply here.
    const client = this.#client as unknown as { token?: string; pathPrefix: string; namespace?: string };
    client.token = undefined;
    client.pathPrefix = "";
    client.namespace = undefined;
  }

  /**
   * Sends one request and returns the answer whatever its status.
   * @throws VaultNodeError Unreachable when there was no answer.
   */
  async #send(method: "GET" | "PUT", path: string, body?: object): Promise<Answer> {
    const headers = this.#endpoint.headers ? { ...(await this.#endpoint.headers()) } : {};
    const agent = this.#endpoint.agent ?? this.#plainAgent;
    const agentOption = agent ? (this.#endpoint.baseUrl.startsWith("https:") ? { httpsAgent: agent } : { httpAgent: agent }) : {};
    try {
      const answer = (await this.#client.request({
        path: `/${path}`,
        method,
        headers,
        timeout: this.#endpoint.timeoutMs ?? 10_000,
        ...agentOption,
        ...(body ? { json: body } : {}),
      })) as unknown;
      return { status: 200, body: answer };
    } catch (err) {
      const e = err as NodeVaultRejection;
      const status = e.response?.statusCode;
      if (status === undefined) {
        const code = typeof e.code === "string" ? e.code : "no answer";
        throw new VaultNodeError(SEAL_FAILURES.unreachable, this.label, describeFailure(SEAL_FAILURES.unreachable, this.label, code));
      }
      const body = e.response?.body;
      if (isKubeStatus(body)) {
        // The API server's pod proxy answered for a node it could not reach.
        throw new VaultNodeError(SEAL_FAILURES.unreachable, this.label, describeFailure(SEAL_FAILURES.unreachable, this.label, `API server proxy: HTTP ${status}`));
      }
      return { status, body };
    }
  }

  #parse<T>(schema: z.ZodType<T>, answer: Answer, what: string): T {
    if (answer.status !== 200) {
      throw new VaultNodeError(SEAL_FAILURES.refused, this.label, describeFailure(SEAL_FAILURES.refused, this.label, `HTTP ${answer.status} on ${what}`), {
        status: answer.status,
      });
    }
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) {
      throw new VaultNodeError(SEAL_FAILURES.badResponse, this.label, describeFailure(SEAL_FAILURES.badResponse, this.label, `${what} had an unknown shape`));
    }
    return parsed.data;
  }

  /**
   * GET sys/seal-status.
   * @throws VaultNodeError (Unreachable, Refused, BadResponse).
   */
  async sealStatus(): Promise<SealStatus> {
    return this.#parse(sealStatusSchema, await this.#send("GET", "sys/seal-status"), "sys/seal-status");
  }

  /**
   * GET sys/init.
   * @throws VaultNodeError (Unreachable, Refused, BadResponse).
   */
  async initialized(): Promise<boolean> {
    return this.#parse(initStateSchema, await this.#send("GET", "sys/init"), "sys/init").initialized;
  }

  /**
   * PUT sys/init with a Shamir configuration.
   * @returns the shares and root token (secret).
   * @throws VaultNodeError AlreadyInitialized, Refused (400 with Vault's reason kept out of the
   * message), Unreachable, BadResponse.
   */
  async init(shares: number, threshold: number): Promise<InitAnswer> {
    const answer = await this.#send("PUT", "sys/init", { secret_shares: shares, secret_threshold: threshold });
    if (answer.status === 400 && errorStrings(answer.body).some((e) => /already initialized/i.test(e))) {
      throw new VaultNodeError(SEAL_FAILURES.alreadyInitialized, this.label, describeFailure(SEAL_FAILURES.alreadyInitialized, this.label, ""), { status: 400 });
    }
    if (answer.status === 400) {
      // Vault's seal-configuration messages hold no secret; they say which limit was broken.
      const reason = errorStrings(answer.body).find((e) => e.startsWith("invalid seal configuration")) ?? "HTTP 400 on sys/init";
      throw new VaultNodeError(SEAL_FAILURES.refused, this.label, describeFailure(SEAL_FAILURES.refused, this.label, reason), { status: 400 });
    }
    return this.#parse(initAnswerSchema, answer, "sys/init");
  }

  /**
   * PUT sys/unseal with one key. The answer is returned raw (status + error strings) for the
   * caller to classify; a 200 is parsed as a seal status.
   * @throws VaultNodeError Unreachable, BadResponse.
   */
  async submitKey(key: string): Promise<{ status: 200; sealStatus: SealStatus } | { status: number; errors: string[] }> {
    const answer = await this.#send("PUT", "sys/unseal", { key });
    if (answer.status !== 200) return { status: answer.status, errors: errorStrings(answer.body) };
    return { status: 200, sealStatus: this.#parse(sealStatusSchema, answer, "sys/unseal") };
  }

  /**
   * PUT sys/unseal `{"reset": true}`.
   * @returns the seal status after the reset, or null when the node is unsealed (400 "vault is unsealed").
   * @throws VaultNodeError Unreachable, Refused, BadResponse.
   */
  async resetUnseal(): Promise<SealStatus | null> {
    const answer = await this.#send("PUT", "sys/unseal", { reset: true });
    if (answer.status === 400 && errorStrings(answer.body).some((e) => /vault is unsealed/i.test(e))) return null;
    return this.#parse(sealStatusSchema, answer, "sys/unseal");
  }

  /**
   * GET sys/leader.
   * @returns the leader info, or null when the node cannot tell (sealed HA node: 503).
   * @throws VaultNodeError Unreachable, BadResponse.
   */
  async leader(): Promise<LeaderInfo | null> {
    const answer = await this.#send("GET", "sys/leader");
    if (answer.status !== 200) return null;
    // A node that just unsealed may not know its leader yet: an odd answer is "unknown", not an error.
    const parsed = leaderSchema.safeParse(answer.body);
    return parsed.success ? parsed.data : null;
  }
}
