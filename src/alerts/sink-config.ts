/**
 * How alert sinks are configured: in a CertificateCheck or DnsCredential (`spec.alertSinks[]`,
 * one key per entry as cert-manager's solvers have one provider key) or as cluster defaults from
 * the controller flag `--alert-sink TYPE=URL`. Builds the sinks; tokens come from Secrets the caller resolves.
 */
import { z } from "zod";
import { InputError } from "../errors.js";
import { AlertmanagerSink } from "./alertmanager-sink.js";
import { NtfySink } from "./ntfy-sink.js";
import type { AlertSink } from "./sink.js";
import { WebhookSink } from "./webhook-sink.js";

const secretKeyRef = z.object({ name: z.string().min(1), key: z.string().min(1) }).strict();
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, "must be an http:// or https:// URL");

/** One entry of `spec.alertSinks`: exactly one of alertmanager, webhook, ntfy. */
export const alertSinkSpecSchema = z.union([
  z.object({ alertmanager: z.object({ url: httpUrl, tokenSecretRef: secretKeyRef.optional() }).strict() }).strict(),
  z.object({ webhook: z.object({ url: httpUrl, tokenSecretRef: secretKeyRef.optional() }).strict() }).strict(),
  z.object({ ntfy: z.object({ url: httpUrl, topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/), tokenSecretRef: secretKeyRef.optional() }).strict() }).strict(),
]);

/** A parsed `spec.alertSinks` entry. */
export type AlertSinkSpec = z.infer<typeof alertSinkSpecSchema>;

/** The Secret key a sink's token comes from, if any. */
export function sinkTokenRef(spec: AlertSinkSpec): { name: string; key: string } | undefined {
  if ("alertmanager" in spec) return spec.alertmanager.tokenSecretRef;
  if ("webhook" in spec) return spec.webhook.tokenSecretRef;
  return spec.ntfy.tokenSecretRef;
}

/** Builds the sink a spec describes; `token` is the resolved tokenSecretRef value, if any. */
export function buildSink(spec: AlertSinkSpec, token?: string, now?: () => Date): AlertSink {
  if ("alertmanager" in spec) {
    return new AlertmanagerSink({ url: new URL(spec.alertmanager.url), ...(token === undefined ? {} : { bearerToken: token }), ...(now ? { now } : {}) });
  }
  if ("webhook" in spec) return new WebhookSink({ url: new URL(spec.webhook.url), ...(token === undefined ? {} : { bearerToken: token }) });
  return new NtfySink({ url: new URL(spec.ntfy.url), topic: spec.ntfy.topic, ...(token === undefined ? {} : { token }) });
}

/**
 * Parses the controller flag `--alert-sink`: `alertmanager=URL`, `webhook=URL` or
 * `ntfy=URL/TOPIC` (the last path segment is the topic).
 * @throws InputError naming the flag value and the accepted forms.
 */
export function parseSinkFlag(text: string): AlertSinkSpec {
  const fail = (why: string): InputError =>
    new InputError(`invalid --alert-sink "${text}": ${why} (use alertmanager=URL, webhook=URL or ntfy=URL/TOPIC)`, { code: "InvalidAlertSink" });
  const eq = text.indexOf("=");
  if (eq < 0) throw fail("missing TYPE=");
  const type = text.slice(0, eq);
  const url = text.slice(eq + 1);
  let candidate: unknown;
  if (type === "alertmanager") candidate = { alertmanager: { url } };
  else if (type === "webhook") candidate = { webhook: { url } };
  else if (type === "ntfy") {
    const slash = url.lastIndexOf("/");
    if (slash < "https://".length) throw fail("the ntfy URL needs a topic as its last path segment");
    candidate = { ntfy: { url: url.slice(0, slash) || url, topic: url.slice(slash + 1) } };
  } else throw fail(`unknown sink type "${type}"`);
  const parsed = alertSinkSpecSchema.safeParse(candidate);
  if (!parsed.success) throw fail(parsed.error.issues[0]?.message ?? "invalid");
  return parsed.data;
}
