/**
 * What one link of the doctor chain concluded, and the whole report: the stable shape `sealbridge
 * doctor -o json` prints (schema version `sealbridge.io/doctor/v1`). Messages are built from
 * names, reasons and the controller's own (secret-free) condition messages, never from values.
 */
import { z } from "zod";

/** A link's verdict: fine, fine with a caveat, broken, or not checked (and why, in the message). */
export const CHECK_STATUSES = ["ok", "warn", "fail", "skip"] as const;
/** One of {@link CHECK_STATUSES}. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** One object a link looked at (a SecretStore, a certificate, a Vault node) and what it found. */
export interface CheckItem {
  /** `Kind namespace/name` (or `Kind name` when cluster-scoped), with a detail such as a node address. */
  object: string;
  status: CheckStatus;
  message: string;
}

/** The verdict of one link. */
export interface CheckResult {
  /** The link's stable id (`kubeconfig`, `api-server`, `crds`, …). */
  name: string;
  status: CheckStatus;
  /** One line: what was seen. */
  message: string;
  /** What to do, when the status is warn or fail. */
  fix?: string;
  /** The objects behind the verdict, worst first. */
  items?: CheckItem[];
}

/** The JSON report of a run. */
export interface DoctorReport {
  apiVersion: "sealbridge.io/doctor/v1";
  /** True when no link failed (warnings allowed). */
  ok: boolean;
  /** The first link that failed, in chain order, or null. */
  firstFailure: string | null;
  /** When the observation was made (RFC 3339). */
  checkedAt: string;
  checks: CheckResult[];
}

const statusSchema = z.enum(CHECK_STATUSES);

/** The schema of {@link DoctorReport}: `-o json` output is exactly this (strict, no other fields). */
export const doctorReportSchema = z.strictObject({
  apiVersion: z.literal("sealbridge.io/doctor/v1"),
  ok: z.boolean(),
  firstFailure: z.string().nullable(),
  checkedAt: z.string(),
  checks: z.array(
    z.strictObject({
      name: z.string().min(1),
      status: statusSchema,
      message: z.string().min(1),
      fix: z.string().min(1).optional(),
      items: z.array(z.strictObject({ object: z.string().min(1), status: statusSchema, message: z.string() })).optional(),
    }),
  ),
});

const RANK: Record<CheckStatus, number> = { fail: 0, warn: 1, ok: 2, skip: 3 };

/** The worst of some statuses (`ok` for none; skip only when all are skips). */
export function worstStatus(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.length === 0) return "ok";
  return statuses.reduce((a, b) => (RANK[b] < RANK[a] ? b : a));
}

/** Items sorted worst first, stable within a status. */
export function worstFirst<T extends CheckItem>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => RANK[a.status] - RANK[b.status]);
}
