/**
 * metav1.Condition helpers, pure: set a condition keeping lastTransitionTime while its status
 * is unchanged, compare condition lists ignoring order.
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

/**
 * Returns a new list with `input` set: an existing condition of the same type keeps its
 * lastTransitionTime when the status did not change; other conditions are kept as they are.
 */
export function setCondition(conditions: readonly Condition[] | undefined, input: ConditionInput, now: Date): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index === -1 ? undefined : list[index];
  const lastTransitionTime = previous && previous.status === input.status ? previous.lastTransitionTime : formatTime(now);
  const next: Condition = { ...input, lastTransitionTime };
  if (index === -1) list.push(next);
  else list[index] = next;
  return list;
}

/** The condition of `type`, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when both lists hold the same conditions (all fields), in any order. */
export function conditionsEqual(a: readonly Condition[] | undefined, b: readonly Condition[] | undefined): boolean {
  const left = a ?? [];
  const right = b ?? [];
  if (left.length !== right.length) return false;
  return left.every((c) => {
    const other = right.find((o) => o.type === c.type);
    return (
      other !== undefined &&
      other.status === c.status &&
      other.reason === c.reason &&
      other.message === c.message &&
      other.lastTransitionTime === c.lastTransitionTime &&
      other.observedGeneration === c.observedGeneration
    );
  });
}

/** RFC 3339 with second precision, as Kubernetes stores metav1.Time. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
