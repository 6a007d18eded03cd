/**
 * JSON over HTTPS for the DNS provider APIs (Cloudflare, DigitalOcean): bearer token, bounded
 * time, and errors that name the URL path and status but never the token or the body.
 */
import { RemoteError } from "../../errors.js";

/** The fetch function the providers use (global fetch by default; tests pass none and use a local server). */
export type FetchFn = typeof fetch;

/** A JSON answer. */
export interface JsonReply {
  status: number;
  body: unknown;
}

/**
 * Sends one request with `Authorization: Bearer <token>`.
 * @returns the status and the parsed JSON body (null when empty).
 * @throws RemoteError when the API cannot be reached or the body is not JSON.
 */
export async function callJsonApi(fetchFn: FetchFn, url: string, token: string, init: { method: string; body?: unknown; timeoutMs?: number; what: string }): Promise<JsonReply> {
  let response: Response;
  const where = `${init.method} ${new URL(url).origin}${new URL(url).pathname}`;
  try {
    response = await fetchFn(url, {
      method: init.method,
      headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new RemoteError(`${init.what} failed: ${where} unreachable (${cause}) (check the API URL and the network)`, { code: "DnsApiUnreachable", cause: err });
  }
  const text = await response.text();
  if (text.trim() === "") return { status: response.status, body: null };
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new RemoteError(`${init.what} failed: ${where} answered HTTP ${response.status} with a body that is not JSON (check the API URL)`, { code: "DnsApiMalformed", status: response.status });
  }
}
