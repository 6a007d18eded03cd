/**
 * The controller's key endpoints, as sealed-secrets serves them plus the age recipient:
 * - `GET /v1/cert.pem`: the newest sealing certificate (what kubeseal seals with);
 * - `POST /v1/verify`: a SealedSecret (JSON or YAML) → 200 when every value opens here under
 *   its scope, 409 when one does not, 400 when the body is not a SealedSecret;
 * - `POST /v1/rotate`: the same SealedSecret with every value re-sealed to the newest key
 *   (200, JSON), 409 when a value does not open, 400 when malformed. The plaintext stays in
 *   this process: it is never in an answer or a log line;
 * - `GET /v1/age-recipient`: the recipient AgeSecrets are sealed to.
 * `/v1/verify` answers 429 beyond 2 requests per second (burst 2), as sealed-secrets' default.
 */
import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { sealedSecretSchema } from "../../api/sealed-secret.js";
import type { SealedSecret } from "../../api/sealed-secret.js";
import { hybridDecrypt, hybridEncrypt } from "../../crypto/hybrid-encryption.js";
import { scopeFromAnnotations, scopeLabel } from "../../crypto/scope.js";
import type { HttpResponse, RouteRegistry } from "../../server/http-server.js";
import { formatZodIssue } from "../../zod-issues.js";
import { openSealedSecretValues } from "./observe.js";
import type { HybridDecryptFn } from "./observe.js";

/** What the endpoints need of the controller's keys. */
export interface KeySource {
  /** Newest first. */
  readonly registry: { keys: ReadonlyArray<{ privateKey: KeyObject; certificatePem: string }> };
  readonly privateKeys: KeyObject[];
  readonly ageRecipient: string | undefined;
}

function text(status: number, body: string, type = "text/plain; charset=utf-8"): HttpResponse {
  return { status, headers: { "content-type": type }, body };
}

/** Parses a request body as one SealedSecret; a string when it is not one (no body content in it). */
function parseSealedSecret(body: Buffer): SealedSecret | string {
  let doc: unknown;
  try {
    doc = parseYaml(body.toString("utf8"));
  } catch {
    return "the body is not JSON or YAML (send one SealedSecret)";
  }
  const result = sealedSecretSchema.safeParse(doc);
  if (!result.success) {
    return `not a SealedSecret: ${formatZodIssue(result.error.issues[0])}`;
  }
  if (!result.data.metadata?.namespace && scopeFromAnnotations(result.data.metadata?.annotations) !== "cluster-wide") {
    return "metadata.namespace is missing (a strict or namespace-wide SealedSecret is bound to its namespace)";
  }
  if (!result.data.metadata?.name && scopeFromAnnotations(result.data.metadata?.annotations) === "strict") {
    return "metadata.name is missing (a strict SealedSecret is bound to its name)";
  }
  return result.data;
}

/** Rate limit of `/v1/verify` (sealed-secrets: `--rate-limit 2 --rate-limit-burst 2`). */
export interface KeyEndpointOptions {
  decrypt?: HybridDecryptFn;
  /** Requests per second refilled; default 2. */
  ratePerSecond?: number;
  /** Bucket size; default 2. */
  burst?: number;
  /** Milliseconds clock for the bucket (tests). */
  nowMs?: () => number;
}

/** A token bucket: `take()` is false when the request must wait. */
function tokenBucket(rate: number, burst: number, nowMs: () => number): () => boolean {
  let tokens = burst;
  let last = nowMs();
  return () => {
    const now = nowMs();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

const TOO_MANY: HttpResponse = { status: 429, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "1" }, body: "too many requests (retry in a second)\n" };

/**
 * Registers the four endpoints on `routes`. `/v1/verify` is rate limited (429 beyond it), as in
 * sealed-secrets; `/v1/rotate` is not, so that bulk re-sealing through it is not throttled.
 * @throws Error when one of the routes is already registered.
 */
export function registerKeyEndpoints(routes: RouteRegistry, keys: KeySource, options: KeyEndpointOptions = {}): void {
  const decrypt = options.decrypt ?? hybridDecrypt;
  const take = tokenBucket(options.ratePerSecond ?? 2, options.burst ?? 2, options.nowMs ?? Date.now);
  routes.addRoute("GET", "/v1/cert.pem", async () => {
    const newest = keys.registry.keys[0];
    if (!newest) return text(503, "no sealing key yet (the controller is starting)\n");
    return text(200, newest.certificatePem.endsWith("\n") ? newest.certificatePem : `${newest.certificatePem}\n`, "application/x-pem-file");
  });

  routes.addRoute("GET", "/v1/age-recipient", async () => {
    const recipient = keys.ageRecipient;
    if (!recipient) return text(503, "no age identity yet (the controller is starting)\n");
    return text(200, `${recipient}\n`);
  });

  routes.addRoute("POST", "/v1/verify", async (req) => {
    if (!take()) return TOO_MANY;
    const ss = parseSealedSecret(req.body);
    if (typeof ss === "string") return text(400, `${ss}\n`);
    const unsealed = await openSealedSecretValues(ss, ss.metadata?.namespace ?? "", ss.metadata?.name ?? "", keys.privateKeys, decrypt);
    return unsealed.ok ? text(200, "ok\n") : text(409, `${unsealed.message}\n`);
  });

  routes.addRoute("POST", "/v1/rotate", async (req) => {
    const ss = parseSealedSecret(req.body);
    if (typeof ss === "string") return text(400, `${ss}\n`);
    const namespace = ss.metadata?.namespace ?? "";
    const name = ss.metadata?.name ?? "";
    const newest = keys.registry.keys[0];
    if (!newest) return text(503, "no sealing key yet (the controller is starting)\n");
    const unsealed = await openSealedSecretValues(ss, namespace, name, keys.privateKeys, decrypt);
    if (!unsealed.ok) return text(409, `${unsealed.message}\n`);
    const publicKey = createPublicKey(newest.privateKey);
    const label = scopeLabel(scopeFromAnnotations(ss.metadata?.annotations), namespace, name);
    const encryptedData: Record<string, string> = {};
    for (const [key, value] of unsealed.values) encryptedData[key] = hybridEncrypt(publicKey, label, value).toString("base64");
    const rotated = { ...ss, spec: { ...ss.spec, encryptedData } };
    return text(200, `${JSON.stringify(rotated)}\n`, "application/json");
  });
}
