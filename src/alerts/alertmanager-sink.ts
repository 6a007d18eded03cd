/**
 * An alert sink for Alertmanager's v2 API: `POST /api/v2/alerts` with a list of postableAlert
 * objects (labels, annotations, startsAt, endsAt, generatorURL). A firing alert carries an
 * `endsAt` a few refresh intervals ahead and is re-sent every interval, as Prometheus does, so
 * Alertmanager keeps it firing while sealbridge runs; resolving sends `endsAt` = the end time.
 */
import type { Alert } from "./alert.js";
import { postBody, redactUrl } from "./http-post.js";
import type { AlertSink } from "./sink.js";

/** Options of {@link AlertmanagerSink}. */
export interface AlertmanagerSinkOptions {
  /** Alertmanager base URL, e.g. `http://alertmanager:9093` (a path prefix is kept). */
  url: URL;
  bearerToken?: string;
  /** Re-send interval of firing alerts (default 1h). */
  refreshIntervalMs?: number;
  timeoutMs?: number;
  /** The clock for `endsAt` of firing alerts. */
  now?: () => Date;
}

/** The JSON Alertmanager's `postableAlert` takes. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/** Sends alerts to Alertmanager's v2 API. */
export class AlertmanagerSink implements AlertSink {
  readonly describe: string;
  readonly refreshIntervalMs: number;
  readonly #endpoint: URL;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #now: () => Date;

  constructor(options: AlertmanagerSinkOptions) {
    const base = options.url.href.endsWith("/") ? options.url.href : `${options.url.href}/`;
    this.#endpoint = new URL("api/v2/alerts", base);
    this.describe = `alertmanager ${redactUrl(options.url)}`;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 3_600_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = options.now ?? (() => new Date());
    this.#headers = { "content-type": "application/json" };
    if (options.bearerToken !== undefined) this.#headers["authorization"] = `Bearer ${options.bearerToken}`;
  }

  /** @throws RemoteError when Alertmanager is unreachable or does not answer 200. */
  async fire(alert: Alert): Promise<void> {
    const endsAt = new Date(this.#now().getTime() + 4 * this.refreshIntervalMs).toISOString();
    await this.#post(toPostable(alert, endsAt));
  }

  /** @throws RemoteError when Alertmanager is unreachable or does not answer 200. */
  async resolve(alert: Alert): Promise<void> {
    await this.#post(toPostable(alert, alert.endsAt ?? this.#now().toISOString()));
  }

  async #post(alert: PostableAlert): Promise<void> {
    await postBody("Alertmanager", this.#endpoint, JSON.stringify([alert]), this.#headers, this.#timeoutMs);
  }
}

function toPostable(alert: Alert, endsAt: string): PostableAlert {
  const out: PostableAlert = {
    labels: { ...alert.labels, alertname: alert.name },
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt,
  };
  if (alert.generatorURL !== undefined) out.generatorURL = alert.generatorURL;
  return out;
}
