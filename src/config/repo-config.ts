/**
 * `.sealbridge.yaml`: per-repository sealing defaults, like `.sops.yaml` creation rules. It is
 * found by walking up from the file being sealed (or the working directory) and stops at the
 * repository root (the directory holding `.git`). The first rule whose path matches wins; its
 * paths are relative to the directory holding `.sealbridge.yaml`.
 *
 *     creation_rules:
 *       - path: "clusters/prod/**"          # glob; or path_regex: "^clusters/prod/"
 *         cert: certs/prod-sealing.pem      # file (relative to .sealbridge.yaml) or https:// URL
 *         scope: strict                     # strict | namespace-wide | cluster-wide
 *       - path: "apps/**"
 *         kind: AgeSecret                   # seal with age instead
 *         recipients: [age1…]
 *         recipients_file: keys/recipients.txt
 *         cluster_recipient: age1…          # the cluster's, offline (false: none; absent: ask the controller)
 *       - path: "**"
 *         controller_namespace: sealbridge  # fetch the cert from this controller
 *         controller_name: sealbridge
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { SCOPES } from "../crypto/scope.js";
import { InputError } from "../errors.js";
import { globToRegExp } from "./path-glob.js";
import { findRepoConfigPath, REPO_CONFIG_FILE } from "./repo-config-path.js";
import { formatZodIssue } from "../zod-issues.js";

export { REPO_CONFIG_FILE };


const ruleSchema = z
  .strictObject({
    path: z.string().min(1).optional(),
    path_regex: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    controller_namespace: z.string().min(1).optional(),
    controller_name: z.string().min(1).optional(),
    scope: z.enum(SCOPES).optional(),
    format: z.enum(["json", "yaml"]).optional(),
    kind: z.enum(["SealedSecret", "AgeSecret"]).optional(),
    recipients: z.array(z.string().regex(/^age1[0-9a-z]+$/, "not an age recipient")).optional(),
    recipients_file: z.string().min(1).optional(),
    cluster_recipient: z.union([z.string().regex(/^age1[0-9a-z]+$/, "not an age recipient"), z.literal(false)]).optional(),
  })
  .refine((rule) => (rule.path === undefined) !== (rule.path_regex === undefined), { message: "give exactly one of path or path_regex" });

export const repoConfigSchema = z.strictObject({ creation_rules: z.array(ruleSchema).default([]) });

/** One rule as written in the file. */
export type CreationRule = z.infer<typeof ruleSchema>;

/** A matched rule with its file paths made absolute. */
export interface ResolvedRule {
  cert?: string | undefined;
  controllerNamespace?: string | undefined;
  controllerName?: string | undefined;
  scope?: (typeof SCOPES)[number] | undefined;
  format?: "json" | "yaml" | undefined;
  kind: "SealedSecret" | "AgeSecret";
  recipients: string[];
  recipientsFile?: string | undefined;
  /** The cluster's age recipient for AgeSecrets (`false`: none); undefined: ask the controller. */
  clusterRecipient?: string | false | undefined;
  /** Which rule matched, for messages: "<config path> rule 2". */
  origin: string;
}

/** A loaded `.sealbridge.yaml`. */
export interface RepoConfig {
  path: string;
  dir: string;
  rules: Array<{ rule: CreationRule; match: RegExp }>;
}

/**
 * Parses a `.sealbridge.yaml` text.
 * @throws InputError naming the file and the first problem.
 */
export async function parseRepoConfig(text: string, path: string): Promise<RepoConfig> {
  const { parse } = await import("yaml");
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new InputError(`invalid ${REPO_CONFIG_FILE}: ${path} is not valid YAML (fix the syntax)`, { cause: err, code: "InvalidRepoConfig" });
  }
  const parsed = repoConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(`invalid ${REPO_CONFIG_FILE}: ${path} at ${formatZodIssue(parsed.error.issues[0], "top level")} (see docs/cli/seal.md, section .sealbridge.yaml)`, { code: "InvalidRepoConfig" });
  }
  const rules = parsed.data.creation_rules.map((rule, index) => {
    try {
      return { rule, match: rule.path_regex !== undefined ? new RegExp(rule.path_regex) : globToRegExp(rule.path as string) };
    } catch (err) {
      throw new InputError(`invalid ${REPO_CONFIG_FILE}: ${path} rule ${index} has a bad path pattern (fix the glob or regex)`, { cause: err, code: "InvalidRepoConfig" });
    }
  });
  return { path, dir: dirname(path), rules };
}

/**
 * Finds and loads the `.sealbridge.yaml` that governs `startDir`, or returns `null` when there is
 * none up to the repository root.
 * @throws InputError when the file exists but is invalid.
 */
export async function findRepoConfig(startDir: string): Promise<RepoConfig | null> {
  const path = await findRepoConfigPath(startDir);
  if (path === null) return null;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new InputError(`cannot read ${REPO_CONFIG_FILE}: ${path} (${(err as NodeJS.ErrnoException).code ?? "unreadable"}; check its permissions)`, { cause: err, code: "InvalidRepoConfig" });
  }
  return await parseRepoConfig(text, path);
}

function absolute(config: RepoConfig, path: string | undefined): string | undefined {
  if (path === undefined || /^https?:\/\//i.test(path) || isAbsolute(path)) return path;
  return join(config.dir, path);
}

/**
 * The first rule matching `file` (any path; made relative to the config's directory), or `null`
 * when no rule matches or the file is outside the config's tree.
 */
export function matchRepoRule(config: RepoConfig, file: string): ResolvedRule | null {
  const rel = relative(config.dir, resolve(file)).split(sep).join("/");
  if (rel.startsWith("../") || rel === "..") return null;
  const index = config.rules.findIndex(({ match }) => match.test(rel));
  const found = config.rules[index];
  if (!found) return null;
  const { rule } = found;
  return {
    cert: absolute(config, rule.cert),
    controllerNamespace: rule.controller_namespace,
    controllerName: rule.controller_name,
    scope: rule.scope,
    format: rule.format,
    kind: rule.kind ?? (rule.recipients || rule.recipients_file || typeof rule.cluster_recipient === "string" ? "AgeSecret" : "SealedSecret"),
    recipients: rule.recipients ?? [],
    recipientsFile: absolute(config, rule.recipients_file),
    ...(rule.cluster_recipient !== undefined ? { clusterRecipient: rule.cluster_recipient } : {}),
    origin: `${config.path} rule ${index}`,
  };
}
