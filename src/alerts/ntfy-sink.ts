/**
 * An ntfy sink: publishes with ntfy's JSON publishing API (`POST` to the server root with
 * `{topic, title, message, priority, tags}`, docs.ntfy.sh/publish/#publish-as-json). Critical
 * alerts go out at priority 5, warnings at 4, the rest at 3; a resolve is a priority-2 message.
 */
import type { Alert } from "./alert.js";
import { postBody, redactUrl } from "./http-post.js";
import type { AlertSink } from "./sink.js";

/** Options of {@link NtfySink}. */
export interface NtfySinkOptions {
  /** The ntfy server, e.g. `https://ntfy.sh`. */
  url: URL;
  topic: string;
  /** An ntfy access token (`tk_…`), sent as a Bearer token. */
  token?: string;
  timeoutMs?: number;
}

const PRIORITY: Record<string, number> = { critical: 5, warning: 4 };

/** Publishes alert changes to one ntfy topic. */
export class NtfySink implements AlertSink {
  readonly describe: string;
  readonly #url: URL;
  readonly #topic: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: NtfySinkOptions) {
    this.#url = options.url;
    this.#topic = options.topic;
    this.describe = `ntfy ${redactUrl(options.url)} topic ${options.topic}`;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#headers = { "content-type": "application/json" };
    if (options.token !== undefined) this.#headers["authorization"] = `Bearer ${options.token}`;
  }

  /** @throws RemoteError when ntfy is unreachable or answers non-2xx. */
  async fire(alert: Alert): Promise<void> {
    const severity = alert.labels["severity"] ?? "";
    await this.#publish({
      title: `${alert.name}: ${alert.labels["namespace"] ?? ""}${alert.labels["namespace"] ? "/" : ""}${alert.labels["name"] ?? ""}`,
      message: alert.annotations["description"] ?? alert.annotations["summary"] ?? alert.name,
      priority: PRIORITY[severity] ?? 3,
      tags: [severity === "critical" ? "rotating_light" : "warning", "sealbridge"],
    });
  }

  /** @throws RemoteError when ntfy is unreachable or answers non-2xx. */
  async resolve(alert: Alert): Promise<void> {
    await this.#publish({
      title: `Resolved ${alert.name}: ${alert.labels["namespace"] ?? ""}${alert.labels["namespace"] ? "/" : ""}${alert.labels["name"] ?? ""}`,
      message: `Resolved: ${alert.annotations["summary"] ?? alert.name}`,
      priority: 2,
      tags: ["white_check_mark", "sealbridge"],
    });
  }

  async #publish(fields: { title: string; message: string; priority: number; tags: string[] }): Promise<void> {
    const body = JSON.stringify({ topic: this.#topic, ...fields });
    await postBody("ntfy", this.#url, body, this.#headers, this.#timeoutMs);
  }
}
