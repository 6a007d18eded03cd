/**
 * Where an ACME order stands, in a shape that can be kept in an object's status (no secrets:
 * TXT values are public by design) so that a restart resumes the order at its stage.
 */
import { z } from "zod";

/** The stages of an order, in order (cert-manager's Order/Challenge steps, flattened). */
export const ORDER_STAGES = ["Presenting", "Propagating", "Validating", "Finalizing", "Downloading"] as const;
export type OrderStage = (typeof ORDER_STAGES)[number];

/** One DNS-01 challenge of the order. */
export const challengeProgressSchema = z.object({
  identifier: z.string(),
  /** `_acme-challenge.<name>` (wildcards without the `*.`), before CNAMEs are followed. */
  fqdn: z.string(),
  txtValue: z.string(),
  challengeUrl: z.string(),
  authorizationUrl: z.string(),
});
export type ChallengeProgress = z.infer<typeof challengeProgressSchema>;

/** An order in progress. */
export const orderProgressSchema = z.object({
  url: z.string(),
  dnsNames: z.array(z.string()),
  stage: z.enum(ORDER_STAGES),
  challenges: z.array(challengeProgressSchema),
  /** When the order was created (RFC 3339). */
  startedAt: z.string(),
});
export type OrderProgress = z.infer<typeof orderProgressSchema>;

/** The TXT name for `identifier` (RFC 8555 §8.4; a wildcard's challenge is at its base name). */
export function challengeName(identifier: string): string {
  return `_acme-challenge.${identifier.replace(/^\*\./, "")}`;
}
