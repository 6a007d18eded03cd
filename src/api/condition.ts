/** The `metav1.Condition` shape the sealbridge.io kinds keep in their status. */
import { z } from "zod";

/** A `metav1.Condition` (unknown fields kept). */
export const metav1ConditionSchema = z.looseObject({
  type: z.string().min(1),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  observedGeneration: z.number().int().optional(),
});
