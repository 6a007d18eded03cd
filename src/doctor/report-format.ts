/**
 * The doctor report as text: the first broken link and its fix on top, then one line per link
 * (with the objects behind a warning or failure), then a summary. `-o json` prints the report
 * object itself (check-result.ts).
 */
import type { CheckResult, CheckStatus, DoctorReport } from "./check-result.js";

const LABEL: Record<CheckStatus, string> = { ok: "ok  ", warn: "WARN", fail: "FAIL", skip: "skip" };

function linkLines(c: CheckResult, width: number): string[] {
  const lines = [`${LABEL[c.status]}  ${c.name.padEnd(width)}  ${c.message}`];
  const pad = " ".repeat(6 + width + 2);
  if (c.status === "fail" || c.status === "warn") {
    for (const item of c.items ?? []) if (item.status === "fail" || item.status === "warn") lines.push(`${pad}- ${item.object}: ${item.message}`);
    if (c.fix !== undefined) lines.push(`${pad}fix: ${c.fix}`);
  }
  return lines;
}

/** The human-readable report. Pure. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const out: string[] = [];
  const first = report.checks.find((c) => c.name === report.firstFailure);
  if (first !== undefined) {
    out.push(`first broken link: ${first.name}: ${first.message}`);
    if (first.fix !== undefined) out.push(`fix: ${first.fix}`);
    out.push("");
  }
  for (const c of report.checks) out.push(...linkLines(c, width));
  const count = (s: CheckStatus): number => report.checks.filter((c) => c.status === s).length;
  const [fails, warns, skips] = [count("fail"), count("warn"), count("skip")];
  const extra = [warns > 0 ? `${warns} warning(s)` : "", skips > 0 ? `${skips} skipped` : ""].filter(Boolean).join(", ");
  out.push("");
  out.push(fails === 0 ? `no broken link${extra ? ` (${extra})` : ""}` : `${fails} broken link(s)${extra ? `, ${extra}` : ""}`);
  return `${out.join("\n")}\n`;
}
