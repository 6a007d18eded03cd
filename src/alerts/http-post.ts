/**
 * POSTs a JSON or text body for the alert sinks; non-2xx answers and network errors become a
 * RemoteError naming the sink and the status, never the body or a header (tokens stay out).
 */
import { RemoteError } from "../errors.js";
import { sendRequest } from "../seal/http-request.js";

/** A URL with any `user:password@` removed, for messages and sink ids. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}

/**
 * Sends one POST and checks the status.
 * @throws RemoteError when there is no answer or the status is not 2xx.
 */
export async function postBody(
  what: string,
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  let status: number;
  try {
    const answer = await sendRequest(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, body, timeoutMs);
    status = answer.status;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new RemoteError(`${what} unreachable: ${redactUrl(url)} (${typeof code === "string" ? code : "network error"}; check the sink URL and that it is up)`, {
      code: "AlertSinkUnreachable",
      cause: err,
    });
  }
  if (status < 200 || status >= 300) {
    throw new RemoteError(`${what} refused the alert: ${redactUrl(url)} answered HTTP ${status} (check the sink URL, topic and credentials)`, {
      code: "AlertSinkRefused",
      status,
    });
  }
}
