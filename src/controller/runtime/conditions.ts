/**
 * The metav1.Condition shape and its time format. Conditions are built in one place, the
 * status summarizer (status-summary.ts).
 */

/** The values of `Condition.status`. */
export const CONDITION_STATUS = { True: "True", False: "False", Unknown: "Unknown" } as const;
/** One of True, False, Unknown. */
export type ConditionStatus = (typeof CONDITION_STATUS)[keyof typeof CONDITION_STATUS];

/** A `metav1.Condition`. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** A condition to set; the time is filled in from `now` only when the status changes. */
export type ConditionInput = Omit<Condition, "lastTransitionTime">;

/** RFC 3339 with second precision, as Kubernetes stores metav1.Time. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
