/**
 * The interface every alert destination implements. A sink sends; it does not decide when:
 * {@link alertTransitions} (transitions.ts) decides which alerts to fire, refresh or resolve.
 */
import type { Alert } from "./alert.js";

/** An alert destination: Alertmanager, a JSON webhook, ntfy, or a test double. */
export interface AlertSink {
  /** A short description for logs and status, e.g. `alertmanager http://am:9093` (no credentials). */
  readonly describe: string;
  /**
   * How often a firing alert must be sent again to stay firing (Alertmanager resolves alerts it has
   * not heard about for `resolve_timeout`); `undefined` for sinks that notify once (webhook, ntfy).
   */
  readonly refreshIntervalMs?: number;
  /**
   * Sends a firing alert (also used for refreshes of sinks with {@link refreshIntervalMs}).
   * @throws RemoteError when the destination cannot be reached or answers with an error status.
   */
  fire(alert: Alert): Promise<void>;
  /**
   * Sends the alert as resolved; `alert.endsAt` is set.
   * @throws RemoteError when the destination cannot be reached or answers with an error status.
   */
  resolve(alert: Alert): Promise<void>;
}
