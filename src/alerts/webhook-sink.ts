/**
 * A generic JSON webhook sink. The body has the shape of Alertmanager's webhook notifications
 * (`version: "4"`, `status`, `alerts[]`), so receivers written for Alertmanager accept it.
 */
import type { Alert } from "./alert.js";
import { postBody, redactUrl } from "./http-post.js";
import type { AlertSink } from "./sink.js";

/** Options of {@link WebhookSink}. */
export interface WebhookSinkOptions {
  url: URL;
  bearerToken?: string;
  timeoutMs?: number;
}

/** POSTs each alert change as one JSON document. */
export class WebhookSink implements AlertSink {
  readonly describe: string;
  readonly #url: URL;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: WebhookSinkOptions) {
    this.#url = options.url;
    this.describe = `webhook ${redactUrl(options.url)}`;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#headers = { "content-type": "application/json" };
    if (options.bearerToken !== undefined) this.#headers["authorization"] = `Bearer ${options.bearerToken}`;
  }

  /** @throws RemoteError when the webhook is unreachable or answers non-2xx. */
  async fire(alert: Alert): Promise<void> {
    await this.#send("firing", alert);
  }

  /** @throws RemoteError when the webhook is unreachable or answers non-2xx. */
  async resolve(alert: Alert): Promise<void> {
    await this.#send("resolved", alert);
  }

  async #send(status: "firing" | "resolved", alert: Alert): Promise<void> {
    const labels = { ...alert.labels, alertname: alert.name };
    const body = {
      version: "4",
      receiver: "sealbridge",
      status,
      groupLabels: { alertname: alert.name },
      commonLabels: labels,
      commonAnnotations: alert.annotations,
      alerts: [
        {
          status,
          labels,
          annotations: alert.annotations,
          startsAt: alert.startsAt,
          endsAt: alert.endsAt ?? "0001-01-01T00:00:00Z",
          generatorURL: alert.generatorURL ?? "",
        },
      ],
    };
    await postBody("Webhook", this.#url, JSON.stringify(body), this.#headers, this.#timeoutMs);
  }
}
