/**
 * Where the sealing certificate comes from, as in kubeseal: `--cert` as a file or an http(s)
 * URL, or else the controller's `/v1/cert.pem` through the API server.
 */
import { readFile } from "node:fs/promises";
import { InputError, RemoteError } from "../errors.js";
import type { ControllerRef } from "./controller-proxy.js";
import type { HttpAnswer } from "./http-request.js";

/** A fetched certificate and a description of where it came from (for messages). */
export interface CertificateText {
  pem: string;
  source: string;
}

/** True when `--cert` names a URL rather than a file. */
export function isCertUrl(cert: string): boolean {
  return /^https?:\/\//i.test(cert);
}

/** The URL without user info, query or fragment: safe to print. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "the given URL";
  }
}

/**
 * Fetches a certificate over http(s).
 * @throws RemoteError when the URL does not answer within `timeoutMs` or answers non-2xx.
 */
export async function fetchCertificateUrl(url: string, timeoutMs = 10_000): Promise<CertificateText> {
  const shown = redactUrl(url);
  const { sendRequest } = await import("./http-request.js");
  let answer: HttpAnswer;
  try {
    answer = await sendRequest(new URL(url), { method: "GET", headers: { Accept: "application/x-pem-file, */*" } }, undefined, timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "network error";
    throw new RemoteError(`cannot fetch certificate: ${shown} did not answer (${code}; check the URL, or pass --cert FILE)`, { cause: err, code: "CertUnreachable" });
  }
  if (answer.status < 200 || answer.status > 299) {
    throw new RemoteError(`cannot fetch certificate: ${shown} answered HTTP ${answer.status} (check the URL, or pass --cert FILE)`, { status: answer.status, code: "CertUnreachable" });
  }
  return { pem: answer.body.toString("utf8"), source: shown };
}

/**
 * Reads a certificate file; `origin` says where its path was given (`--cert`, a
 * `.sealbridge.yaml` rule), for the message.
 * @throws InputError when the file cannot be read.
 */
export async function readCertificateFile(path: string, origin = "--cert"): Promise<CertificateText> {
  try {
    return { pem: await readFile(path, "utf8"), source: path };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`cannot read certificate: ${path} (${code}; check the path given to ${origin})`, { cause: err, code: "CertUnreadable" });
  }
}

/**
 * Fetches the controller's current certificate through the API-server service proxy.
 * @throws RemoteError when the controller cannot be reached or does not serve a certificate.
 */
export async function fetchControllerCertificate(ref: ControllerRef): Promise<CertificateText> {
  const { connectControllerProxy } = await import("./controller-proxy.js");
  const proxy = await connectControllerProxy(ref, "cannot fetch the sealing certificate");
  const answer = await proxy.request("GET", "/v1/cert.pem");
  if (answer.status !== 200) {
    throw new RemoteError(`cannot fetch certificate: service ${ref.namespace}/${ref.name} answered HTTP ${answer.status} (check the controller, or pass --cert FILE)`, { status: answer.status, code: "CertUnreachable" });
  }
  return { pem: answer.body.toString("utf8"), source: `controller ${ref.namespace}/${ref.name}` };
}

/**
 * The certificate text from `--cert` (file or URL) or, without it, from the controller.
 * @throws InputError for an unreadable file; RemoteError for a URL or controller that fails.
 */
export async function loadCertificateText(cert: string | undefined, controller: ControllerRef, origin = "--cert"): Promise<CertificateText> {
  if (cert) return isCertUrl(cert) ? await fetchCertificateUrl(cert, controller.timeoutMs) : await readCertificateFile(cert, origin);
  return await fetchControllerCertificate(controller);
}
