/**
 * The action of `sealbridge certs check`: validates the options (zod), runs the check and
 * prints the reports. Separate from src/cli/certs.ts so the CLI stays thin and loads this lazily.
 */
import type { Writable } from "node:stream";
import { z } from "zod";
import { InputError } from "../errors.js";
import { runCheck } from "./check-run.js";
import { exitStatus, formatReports } from "./report-format.js";
import { DEFAULT_THRESHOLDS, parseLimit } from "./thresholds.js";

const optionsSchema = z.object({
  secret: z.array(z.string()),
  key: z.array(z.string().min(1)),
  allSecrets: z.boolean().optional(),
  certManager: z.boolean().optional(),
  endpoint: z.array(z.string()),
  serverName: z.string().min(1).optional(),
  file: z.array(z.string()),
  caFile: z.string().optional(),
  renewBefore: z.string(),
  warn: z.string(),
  critical: z.string(),
  kubeconfig: z.string().optional(),
  output: z.enum(["table", "json", "yaml"], { message: "-o must be table, json or yaml" }),
});

/**
 * Runs `certs check` with commander's parsed options.
 * @returns the exit status (0, 1 or 2).
 * @throws InputError for invalid options (the CLI prints it and exits 1… see main.ts), with
 * exitCode 3 so scripts can tell "could not check" from "warning".
 */
export async function runCertsCheck(raw: Record<string, unknown>, out: Writable, env: Record<string, string | undefined>): Promise<number> {
  try {
    const parsed = optionsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(`invalid option ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"} (see sealbridge certs check --help)`, { code: "InvalidFlags" });
    }
    const o = parsed.data;
    const thresholds = {
      ...DEFAULT_THRESHOLDS,
      renewBefore: parseLimit(o.renewBefore, "--renew-before"),
      warning: parseLimit(o.warn, "--warn"),
      critical: parseLimit(o.critical, "--critical"),
    };
    let close: (() => void) | undefined;
    try {
      const reports = await runCheck(
        {
          secrets: o.secret,
          keys: o.key.length > 0 ? o.key : ["tls.crt"],
          allSecrets: o.allSecrets === true,
          certManager: o.certManager === true,
          endpoints: o.endpoint,
          ...(o.serverName === undefined ? {} : { serverName: o.serverName }),
          files: o.file,
          ...(o.caFile === undefined ? {} : { caFile: o.caFile }),
          thresholds,
        },
        {
          now: () => new Date(),
          kube: async () => {
            const [{ loadKubeConnection }, { HttpKubeClient }, { VERSION }] = await Promise.all([
              import("../kube/config.js"),
              import("../kube/client.js"),
              import("../version.js"),
            ]);
            const connection = await loadKubeConnection({ kubeconfig: o.kubeconfig ?? env["KUBECONFIG"], env });
            close = () => connection.agent.destroy();
            return { client: new HttpKubeClient(connection, { userAgent: `sealbridge/${VERSION}` }), namespace: connection.namespace };
          },
        },
      );
      out.write(formatReports(reports, o.output));
      return exitStatus(reports);
    } finally {
      close?.();
    }
  } catch (err) {
    if (err instanceof Error) Object.assign(err, { exitCode: 3 });
    throw err;
  }
}
