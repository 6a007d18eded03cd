/**
 * One HTTP(S) request with node:http/https and a timeout, returning status and body bytes.
 * Used for cert URLs and the controller proxy (fetch cannot take a kubeconfig's client
 * certificate or CA, and refuses some ports).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { readAll } from "../stream-read.js";

/** An HTTP answer: status and body bytes. */
export interface HttpAnswer {
  status: number;
  body: Buffer;
}

/**
 * Sends a request and reads the whole answer.
 * @throws Error with `code` (ECONNREFUSED, ETIMEDOUT, ENOTFOUND, …) when there is no answer.
 */
export async function sendRequest(url: URL, options: RequestOptions, body: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
  const doRequest = url.protocol === "http:" ? httpRequest : httpsRequest;
  return await new Promise<HttpAnswer>((resolve, reject) => {
    const req = doRequest(url, { ...options, timeout: timeoutMs }, (res) => {
      readAll(res).then((body) => resolve({ status: res.statusCode ?? 0, body: body ?? Buffer.alloc(0) }), reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(body);
  });
}
