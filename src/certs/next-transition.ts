/**
 * When a certificate's state will next change by the passing of time alone (renewal due,
 * overdue, warning, critical, expiry), so a controller requeues exactly then instead of polling.
 * Pure.
 */
import type { CertificateReport } from "./certificate-report.js";
import { limitMs, type Thresholds } from "./thresholds.js";

/** The earliest boundary after `now` among the reports, or undefined when none is ahead. */
export function nextTransition(reports: CertificateReport[], thresholds: Thresholds, now: Date): Date | undefined {
  let best: number | undefined;
  for (const r of reports) {
    if (r.notAfter === undefined || r.notBefore === undefined) continue;
    const notAfter = Date.parse(r.notAfter);
    const notBefore = Date.parse(r.notBefore);
    const lifetime = notAfter - notBefore;
    const renewal = r.renewalTime === undefined ? notAfter - limitMs(thresholds.renewBefore, lifetime) : Date.parse(r.renewalTime);
    const points = [
      notBefore,
      renewal,
      renewal + limitMs(thresholds.renewalGrace, lifetime),
      notAfter - limitMs(thresholds.warning, lifetime),
      notAfter - limitMs(thresholds.critical, lifetime),
      notAfter,
    ];
    for (const p of points) if (p > now.getTime() && (best === undefined || p < best)) best = p;
  }
  return best === undefined ? undefined : new Date(best);
}
