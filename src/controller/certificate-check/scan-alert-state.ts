/**
 * Where the cluster-wide TLS Secret scan keeps its alert records (what was sent to which sink),
 * so a restarted controller neither re-fires nor forgets an alert: the ConfigMap
 * `sealbridge-alert-state` in the controller's own namespace (never the users' Secrets). The
 * records hold labels (namespace, name, key, severity) and the alert text — certificate facts, no
 * secret values — gzip-compressed JSON in `binaryData`, so thousands of alerting certificates fit
 * in a ConfigMap's 1 MiB. Written only when the records change.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { alertRecordsSchema, type AlertRecord } from "../../alerts/transitions.js";
import { isConflict, isNotFound } from "../../kube/errors.js";
import { CONFIGMAPS } from "../../kube/resources.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import type { ControllerLogger } from "../types.js";
import { canonicalJson } from "../runtime/json-compare.js";

/** The ConfigMap's name. */
export const ALERT_STATE_CONFIGMAP = "sealbridge-alert-state";
/** The binaryData key of the scan's records. */
export const SCAN_ALERTS_KEY = "tls-secret-scan.json.gz";
/** Stay below the API server's 1 MiB object limit (base64 grows the bytes by a third). */
const MAX_BYTES = 700 * 1024;

/** Durable alert records. */
export interface AlertStateStore {
  /** The records kept; [] when there are none. @throws the read's error when the store cannot be read. */
  load(): Promise<AlertRecord[]>;
  /** Keeps `records` (a no-op when they equal what was kept). Never throws: failures are logged. */
  save(records: AlertRecord[]): Promise<void>;
}

type ConfigMap = KubeObject & { binaryData?: Record<string, string> };

/** The scan's records in the ConfigMap `sealbridge-alert-state` of `namespace`. */
export class ConfigMapAlertState implements AlertStateStore {
  #last: ConfigMap | null | undefined;
  #saved: string | undefined;
  #tooBig = false;

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    private readonly log: ControllerLogger,
  ) {}

  async load(): Promise<AlertRecord[]> {
    const cm = await this.kube.get<ConfigMap>(CONFIGMAPS, this.namespace, ALERT_STATE_CONFIGMAP);
    this.#last = cm;
    const packed = cm?.binaryData?.[SCAN_ALERTS_KEY];
    if (packed === undefined) return [];
    let parsed;
    try {
      parsed = alertRecordsSchema.safeParse(JSON.parse(gunzipSync(Buffer.from(packed, "base64")).toString("utf8")));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.log.warn({ configMap: `${this.namespace}/${ALERT_STATE_CONFIGMAP}`, key: SCAN_ALERTS_KEY }, "alert state unreadable; starting without it (alerts still due fire once more)");
      return [];
    }
    this.#saved = canonicalJson(parsed.data);
    return parsed.data;
  }

  async save(records: AlertRecord[]): Promise<void> {
    const text = canonicalJson(records);
    if (text === this.#saved) return;
    const packed = gzipSync(Buffer.from(text, "utf8")).toString("base64");
    if (packed.length > MAX_BYTES) {
      if (!this.#tooBig) this.log.warn({ configMap: `${this.namespace}/${ALERT_STATE_CONFIGMAP}`, records: records.length }, "alert state too large for a ConfigMap; kept in memory only (a restart fires alerts still due once more)");
      this.#tooBig = true;
      return;
    }
    this.#tooBig = false;
    try {
      await this.#write(packed);
      this.#saved = text;
    } catch (err) {
      this.log.warn({ configMap: `${this.namespace}/${ALERT_STATE_CONFIGMAP}`, err }, "saving the alert state failed; retried when it next changes");
    }
  }

  async #write(packed: string): Promise<void> {
    for (let round = 0; ; round++) {
      if (this.#last === undefined) this.#last = await this.kube.get<ConfigMap>(CONFIGMAPS, this.namespace, ALERT_STATE_CONFIGMAP);
      const current = this.#last;
      const body: ConfigMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          ...(current?.metadata ?? {}),
          name: ALERT_STATE_CONFIGMAP,
          namespace: this.namespace,
          labels: { ...(current?.metadata.labels ?? {}), "app.kubernetes.io/managed-by": "sealbridge" },
        },
        binaryData: { ...(current?.binaryData ?? {}), [SCAN_ALERTS_KEY]: packed },
      };
      if (current?.["data"] !== undefined) body["data"] = current["data"];
      try {
        this.#last = current ? await this.kube.replace<ConfigMap>(CONFIGMAPS, body) : await this.kube.create<ConfigMap>(CONFIGMAPS, body);
        return;
      } catch (err) {
        // Changed or created meanwhile (another instance before a leader change, a user): read again, once.
        if (round === 0 && (isConflict(err) || isNotFound(err))) {
          this.#last = undefined;
          continue;
        }
        throw err;
      }
    }
  }
}
