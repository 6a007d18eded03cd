/**
 * Doctor's own look at a store's Vault: `GET <server>/v1/sys/health` from wherever doctor runs.
 * Often that is a laptop that cannot reach an in-cluster Vault; then the answer is "not reached",
 * which the store link only notes. Never sends a token (sys/health needs none).
 */
import type { RequestOptions } from "node:https";
import { z } from "zod";
import { sendRequest } from "../seal/http-request.js";
import type { VaultHealth } from "./observed.js";

const healthSchema = z.looseObject({ initialized: z.boolean(), sealed: z.boolean(), standby: z.boolean().default(false) });

/**
 * Asks one Vault for its health; `caPem` trusts a private CA (the store's caBundle).
 * @returns what it said, or why it could not be asked. Never throws.
 */
export async function probeVaultHealth(server: string, caPem: string | undefined, timeoutMs: number): Promise<VaultHealth> {
  let url: URL;
  try {
    url = new URL(`${server.replace(/\/+$/, "")}/v1/sys/health?standbyok=true&perfstandbyok=true`);
  } catch {
    return { reached: false, message: "the server is not a URL" };
  }
  const options: RequestOptions = { method: "GET", headers: { Accept: "application/json" }, ...(caPem !== undefined ? { ca: caPem } : {}) };
  try {
    const answer = await sendRequest(url, options, undefined, timeoutMs);
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString("utf8"));
    } catch {
      body = undefined;
    }
    const parsed = healthSchema.safeParse(body);
    if (!parsed.success) return { reached: false, message: `answered HTTP ${answer.status}, not Vault's sys/health` };
    return { reached: true, initialized: parsed.data.initialized, sealed: parsed.data.sealed, standby: parsed.data.standby };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "network error";
    return { reached: false, message: code };
  }
}
