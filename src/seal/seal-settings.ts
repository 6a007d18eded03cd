/**
 * Per-file sealing settings: command-line flags first, then kubeseal's `SEALED_SECRETS_*`
 * environment variables, then the matching `.sealbridge.yaml` rule, then defaults. Certificates
 * and recipients are loaded once per source and shared by every file of a run.
 */
import { dirname } from "node:path";
import type { RepoConfig, ResolvedRule } from "../config/repo-config.js";
import { findRepoConfigPath } from "../config/repo-config-path.js";
import { parseSealingCertificate, type SealingCertificate } from "../crypto/sealing-key.js";
import type { Scope } from "../crypto/scope.js";
import type { Clock } from "../clock.js";
import { InputError } from "../errors.js";
import { loadCertificateText } from "./cert-source.js";
import { clusterRecipientSource, fetchClusterRecipient, type ClusterRecipientSource } from "./cluster-recipient.js";
import type { ControllerRef } from "./controller-proxy.js";
import type { OutputFormat } from "./manifest-output.js";

/** sealbridge's own controller, by default (sealed-secrets installs use kube-system/sealed-secrets-controller). */
export const DEFAULT_CONTROLLER_NAMESPACE = "sealbridge";
export const DEFAULT_CONTROLLER_NAME = "sealbridge";

/** The flags that settings can come from. */
export interface SettingsFlags {
  cert?: string | undefined;
  scope?: Scope | undefined;
  format?: OutputFormat | undefined;
  age?: boolean | undefined;
  recipient?: string[] | undefined;
  recipientsFile?: string[] | undefined;
  /** `--cluster-recipient age1…`, or false for `--no-cluster-recipient`. */
  clusterRecipient?: string | false | undefined;
  controllerNamespace?: string | undefined;
  controllerName?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** Skip `.sealbridge.yaml`. */
  noConfig?: boolean | undefined;
}

/** What one file (or stdin) is sealed with. */
export interface SealSettings {
  kind: "SealedSecret" | "AgeSecret";
  scope: Scope | undefined;
  cert: string | undefined;
  /** Where `cert` was given, for messages: `--cert`, `SEALED_SECRETS_CERT` or the rule's `cert`. */
  certOrigin: string;
  controller: ControllerRef;
  recipients: string[];
  recipientsFiles: string[];
  /** For AgeSecrets: where the cluster's recipient comes from. */
  clusterRecipient: ClusterRecipientSource;
  format: OutputFormat | undefined;
  /** The `.sealbridge.yaml` rule used, if any. */
  origin: string | undefined;
}

/** Resolves and caches settings, certificates and recipients for one run. */
export class SealSettingsResolver {
  private readonly configs = new Map<string, Promise<RepoConfig | null>>();
  private readonly certs = new Map<string, Promise<SealingCertificate>>();
  private readonly recipientLists = new Map<string, Promise<string[]>>();
  private readonly clusterRecipients = new Map<string, Promise<string>>();

  constructor(
    private readonly flags: SettingsFlags,
    private readonly cwd: string,
    private readonly env: Record<string, string | undefined>,
    private readonly clock: Clock,
  ) {}

  private async rule(path: string | undefined): Promise<ResolvedRule | null> {
    if (this.flags.noConfig) return null;
    const dir = path === undefined ? this.cwd : dirname(path);
    let config = this.configs.get(dir);
    if (!config) {
      config = findRepoConfigPath(dir).then(async (found) => (found === null ? null : (await import("../config/repo-config.js")).findRepoConfig(dir)));
      this.configs.set(dir, config);
    }
    const loaded = await config;
    if (!loaded) return null;
    const { matchRepoRule } = await import("../config/repo-config.js");
    return matchRepoRule(loaded, path ?? `${this.cwd}/-`);
  }

  /**
   * The settings for a file (undefined: stdin, matched as if it were a file in the cwd).
   * @throws InputError when a `.sealbridge.yaml` on the way is invalid.
   */
  async forFile(path: string | undefined): Promise<SealSettings> {
    const { flags, env } = this;
    const rule = await this.rule(path);
    const recipients = [...(flags.recipient ?? [])];
    const recipientsFiles = [...(flags.recipientsFile ?? [])];
    const flagRecipients = recipients.length > 0 || recipientsFiles.length > 0;
    const flagAge = flags.age === true || flagRecipients || typeof flags.clusterRecipient === "string";
    // Recipients given on the command line replace the rule's; `--age` or `--cluster-recipient`
    // alone keep them (an offline backup key must not be dropped silently).
    if (!flagRecipients && rule) {
      recipients.push(...rule.recipients);
      if (rule.recipientsFile) recipientsFiles.push(rule.recipientsFile);
    }
    const controller: ControllerRef = {
      namespace: flags.controllerNamespace ?? env["SEALED_SECRETS_CONTROLLER_NAMESPACE"] ?? rule?.controllerNamespace ?? DEFAULT_CONTROLLER_NAMESPACE,
      name: flags.controllerName ?? env["SEALED_SECRETS_CONTROLLER_NAME"] ?? rule?.controllerName ?? DEFAULT_CONTROLLER_NAME,
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      env,
    };
    return {
      kind: flagAge ? "AgeSecret" : flags.cert ? "SealedSecret" : (rule?.kind ?? "SealedSecret"),
      scope: flags.scope ?? rule?.scope,
      cert: flags.cert ?? env["SEALED_SECRETS_CERT"] ?? rule?.cert,
      certOrigin: flags.cert ? "--cert" : env["SEALED_SECRETS_CERT"] ? "SEALED_SECRETS_CERT" : rule?.cert ? `cert of ${rule.origin}` : "--cert",
      controller,
      recipients,
      recipientsFiles,
      clusterRecipient: clusterRecipientSource(flags.clusterRecipient, rule, controller),
      format: flags.format ?? rule?.format,
      origin: rule?.origin,
    };
  }

  /**
   * The sealing certificate for these settings, fetched once per source.
   * @throws InputError / RemoteError when it cannot be read, fetched or parsed, or has expired.
   */
  async certificate(settings: Pick<SealSettings, "cert" | "certOrigin" | "controller">): Promise<SealingCertificate> {
    const key = settings.cert ?? controllerKey(settings.controller);
    let cert = this.certs.get(key);
    if (!cert) {
      cert = loadCertificateText(settings.cert, settings.controller, settings.certOrigin).then(({ pem, source }) => parseSealingCertificate(pem, source, this.clock));
      this.certs.set(key, cert);
    }
    return await cert;
  }

  /**
   * The cluster's age recipient for these settings (fetched once per controller), or null.
   * @throws InputError when a given one is not an age recipient; RemoteError when the
   *   controller cannot be reached or serves none.
   */
  async clusterRecipient(source: ClusterRecipientSource): Promise<string | null> {
    if (source.kind === "none") return null;
    if (source.kind === "given") return (await import("../crypto/age-keys.js")).parseRecipient(source.recipient, source.origin);
    const key = controllerKey(source.controller);
    let recipient = this.clusterRecipients.get(key);
    if (!recipient) {
      recipient = fetchClusterRecipient(source.controller);
      this.clusterRecipients.set(key, recipient);
    }
    return await recipient;
  }

  /**
   * The age recipients for these settings: the cluster's first, then inline ones and files (each
   * read once per run).
   * @throws InputError when a recipients file cannot be read, or there are no recipients;
   *   RemoteError when the cluster's recipient cannot be fetched.
   */
  async recipients(settings: Pick<SealSettings, "recipients" | "recipientsFiles" | "clusterRecipient">): Promise<string[]> {
    const cluster = await this.clusterRecipient(settings.clusterRecipient);
    const out = cluster === null ? [...settings.recipients] : [cluster, ...settings.recipients];
    if (settings.recipientsFiles.length > 0) {
      const { readRecipientsFile } = await import("../crypto/age-keys.js");
      for (const file of settings.recipientsFiles) {
        let list = this.recipientLists.get(file);
        if (!list) {
          list = readRecipientsFile(file);
          this.recipientLists.set(file, list);
        }
        out.push(...(await list));
      }
    }
    if (out.length === 0) {
      throw new InputError("cannot seal with age: no recipients (drop --no-cluster-recipient, or pass --recipient age1… or --recipients-file, or set recipients in .sealbridge.yaml)", { code: "NoRecipients" });
    }
    return [...new Set(out)];
  }
}

/** One cache key per controller (and the kubeconfig used to reach it). */
function controllerKey(ref: ControllerRef): string {
  return `controller:${ref.kubeconfig ?? ""}:${ref.context ?? ""}:${ref.namespace}/${ref.name}`;
}
