/**
 * Renders certificate reports for the CLI (a table, JSON or YAML) and maps them to the exit
 * status: 0 all fine, 1 a warning, 2 critical or invalid.
 */
import { stringify } from "yaml";
import { describeSource, type CertificateReport } from "./certificate-report.js";

/** Output formats of `certs check`. */
export type ReportFormat = "table" | "json" | "yaml";

/** 0 when every report is fine (or only informational), 1 on a warning, 2 on anything critical. */
export function exitStatus(reports: CertificateReport[]): 0 | 1 | 2 {
  if (reports.some((r) => r.severity === "critical")) return 2;
  if (reports.some((r) => r.severity === "warning")) return 1;
  return 0;
}

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Renders reports in the given format (JSON/YAML: `{certificates: [...]}`). */
export function formatReports(reports: CertificateReport[], format: ReportFormat): string {
  if (format === "json") return `${JSON.stringify({ certificates: reports }, null, 2)}\n`;
  if (format === "yaml") return stringify({ certificates: reports });
  const rows = [["SOURCE", "STATE", "DAYS LEFT", "NOT AFTER", "SUBJECT", "MESSAGE"]];
  for (const r of reports) {
    rows.push([describeSource(r.source), r.state, r.daysLeft === undefined ? "-" : String(Math.floor(r.daysLeft)), r.notAfter ?? "-", r.subject ?? "-", r.message]);
  }
  return pad(rows);
}
