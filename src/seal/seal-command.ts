/**
 * `sealbridge seal`: Secret manifests → SealedSecrets (or AgeSecrets), to stdout, to a file, or
 * in place over many files in one run. Nothing is written anywhere until every document of every
 * input has been sealed. The other kubeseal modes (--raw, --merge-into, --recovery-unseal,
 * --re-encrypt, --validate, --fetch-cert) dispatch to sealed-secret-commands.ts.
 */
import type { Secret } from "../api/secret.js";
import { systemClock, type Clock } from "../clock.js";
import { SCOPES, type Scope } from "../crypto/scope.js";
import { InputError } from "../errors.js";
import { parseSecretDocument, kindOf, parseManifestText } from "./document-parsing.js";
import { FileBatch, targetProblem, writeFilesAtomically } from "./file-batch.js";
import { readManifestInputs, type ManifestInput } from "./manifest-inputs.js";
import { formatForPath, manifestFormat } from "../manifest/format.js";
import { formatObjects, parseEditableManifest, OUTPUT_FORMATS, type EditableManifest } from "./manifest-output.js";
import type { ManifestDocument } from "../manifest/documents.js";
import { effectiveScope, sealSecret } from "./sealed-secret-builder.js";
import { checkSealableNames } from "./secret-names.js";
import { SealSettingsResolver, type SealSettings, type SettingsFlags } from "./seal-settings.js";

/** Streams, working directory, environment and clock of one command run. */
export interface CommandIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: Record<string, string | undefined>;
  clock?: Clock;
}

/** The `seal` flags, as commander hands them over (validated by `parseSealFlags`). */
export interface SealFlags extends Omit<SettingsFlags, "noConfig"> {
  secretFile: string[];
  sealedSecretFile?: string | true | undefined;
  raw?: boolean | undefined;
  name?: string | undefined;
  namespace?: string | undefined;
  fromFile?: string | undefined;
  mergeInto?: string | undefined;
  recoveryUnseal?: boolean | undefined;
  recoveryPrivateKey: string[];
  allowEmptyData?: boolean | undefined;
  reEncrypt?: boolean | undefined;
  validate?: boolean | undefined;
  fetchCert?: boolean | undefined;
  recipient: string[];
  recipientsFile: string[];
  identity: string[];
  /** false with `--no-config`. */
  config?: boolean | undefined;
}

const STRING_FLAGS = ["cert", "name", "namespace", "fromFile", "mergeInto", "controllerNamespace", "controllerName", "kubeconfig", "context"] as const;
const BOOLEAN_FLAGS = ["raw", "recoveryUnseal", "allowEmptyData", "reEncrypt", "validate", "fetchCert", "age", "config"] as const;
const LIST_FLAGS = ["secretFile", "recoveryPrivateKey", "recipient", "recipientsFile", "identity"] as const;

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function badFlag(key: string, what: string): InputError {
  return new InputError(`invalid flag: ${flagName(key)}: ${what} (see sealbridge seal --help)`, { code: "InvalidFlags" });
}

/**
 * Validates flags at the CLI boundary (hand-written rather than zod: this runs on every seal,
 * and zod's load time alone would double start-up).
 * @throws InputError naming the first bad flag.
 */
export function parseSealFlags(raw: unknown): SealFlags {
  const input = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const flags: Record<string, unknown> = {};
  for (const key of STRING_FLAGS) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") throw badFlag(key, "expected a non-empty value");
    flags[key] = value;
  }
  for (const key of BOOLEAN_FLAGS) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== "boolean") throw badFlag(key, "takes no value");
    flags[key] = value;
  }
  for (const key of LIST_FLAGS) {
    const value = input[key] ?? [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) throw badFlag(key, "expected non-empty values");
    flags[key] = value;
  }
  const scope = input["scope"];
  if (scope !== undefined && !(SCOPES as readonly unknown[]).includes(scope)) throw badFlag("scope", `expected one of ${SCOPES.join(", ")}`);
  const format = input["format"];
  if (format !== undefined && !(OUTPUT_FORMATS as readonly unknown[]).includes(format)) throw badFlag("format", `expected one of ${OUTPUT_FORMATS.join(", ")}`);
  const clusterRecipient = input["clusterRecipient"];
  if (clusterRecipient !== undefined && clusterRecipient !== false && (typeof clusterRecipient !== "string" || clusterRecipient === "")) throw badFlag("clusterRecipient", "expected an age1… recipient");
  const output = input["sealedSecretFile"];
  if (output !== undefined && output !== true && (typeof output !== "string" || output === "")) throw badFlag("sealedSecretFile", "expected a file name");
  return { ...flags, scope, format, clusterRecipient, sealedSecretFile: output } as SealFlags;
}

/** Per-run state shared by every document: settings, certs, the kubeconfig namespace. */
export class SealRun {
  readonly resolver: SealSettingsResolver;
  private defaultNamespace: Promise<string> | undefined;

  constructor(
    readonly flags: SealFlags,
    readonly io: CommandIO,
  ) {
    this.resolver = new SealSettingsResolver({ ...flags, noConfig: flags.config === false }, io.cwd, io.env, io.clock ?? systemClock);
  }

  /** The kubeconfig context's namespace, read at most once and only when a Secret lacks one. */
  async kubeNamespace(): Promise<string> {
    if (!this.defaultNamespace) {
      this.defaultNamespace = import("./kubeconfig-namespace.js").then(({ kubeconfigNamespace }) =>
        kubeconfigNamespace({ kubeconfig: this.flags.kubeconfig, context: this.flags.context, env: this.io.env }),
      );
    }
    return await this.defaultNamespace;
  }

  /**
   * Seals one Secret document with the settings of its file.
   * @throws InputError / RemoteError / DecryptError as the document, cert or recipients demand.
   */
  async sealDocument(value: unknown, where: string, settings: SealSettings, scopeOverride?: Scope): Promise<unknown> {
    const { flags } = this;
    const secret = parseSecretDocument(value, where);
    const requested = scopeOverride ?? settings.scope;
    const scope = effectiveScope(requested, secret.metadata?.annotations);
    const needsNamespace = scope !== "cluster-wide" && !flags.namespace && !secret.metadata?.namespace;
    const defaultNamespace = needsNamespace ? await this.kubeNamespace() : undefined;
    checkSealableNames(
      {
        name: flags.name ?? secret.metadata?.name,
        namespace: scope === "cluster-wide" ? flags.namespace : (flags.namespace ?? secret.metadata?.namespace ?? defaultNamespace),
        keys: [...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})],
      },
      where,
    );
    if (settings.kind === "AgeSecret") {
      const recipients = await this.resolver.recipients(settings);
      const metadata = { ...secret.metadata };
      if (flags.name) metadata.name = flags.name;
      const namespace = flags.namespace ?? metadata.namespace ?? defaultNamespace;
      if (namespace && scope !== "cluster-wide") metadata.namespace = namespace;
      if (!flags.allowEmptyData && Object.keys(secret.data ?? {}).length + Object.keys(secret.stringData ?? {}).length === 0) {
        throw new InputError(`cannot seal: ${where} has no data or stringData (add values, or pass --allow-empty-data)`, { code: "EmptyData" });
      }
      const { sealToAgeSecret } = await import("./age-seal.js");
      return await sealToAgeSecret({ ...secret, metadata } as Secret, { recipients, scope });
    }
    const cert = await this.resolver.certificate(settings);
    return sealSecret(secret, {
      publicKey: cert.publicKey,
      scope: requested,
      name: flags.name,
      namespace: flags.namespace,
      defaultNamespace,
      allowEmptyData: flags.allowEmptyData,
      source: where,
    });
  }

  /**
   * Seals every Secret document of one input; returns the sealed objects by document index. A
   * `kind: List` document (`kubectl get secrets -o yaml`) becomes the same List with each
   * Secret item sealed. With `skipOthers`, other documents and items are left out of the result
   * (documents) or kept as they are (items); without it they are an error.
   */
  async sealInput(input: ManifestInput, opts: { skipOthers: boolean; documents?: ManifestDocument[] }): Promise<Map<number, unknown>> {
    const settings = await this.resolver.forFile(input.path);
    const sealed = new Map<number, unknown>();
    for (const doc of opts.documents ?? parseManifestText(input.text, input.source)) {
      if (doc.value === null || doc.value === undefined) continue;
      const where = `${input.source}, document ${doc.index}`;
      const list = listItems(doc.value);
      if (list) {
        const items = await this.sealItems(list, where, settings, opts.skipOthers);
        if (items) sealed.set(doc.index, { ...(doc.value as object), items });
        continue;
      }
      if (opts.skipOthers && kindOf(doc.value) !== "Secret") continue;
      sealed.set(doc.index, await this.sealDocument(doc.value, where, settings));
    }
    return sealed;
  }

  /** The items of a List with every Secret sealed, or undefined when it holds no Secret. */
  private async sealItems(items: unknown[], where: string, settings: SealSettings, skipOthers: boolean): Promise<unknown[] | undefined> {
    let count = 0;
    const out: unknown[] = [];
    for (const [index, item] of items.entries()) {
      if (skipOthers && kindOf(item) !== "Secret") {
        out.push(item);
        continue;
      }
      out.push(await this.sealDocument(item, `${where}, item ${index}`, settings));
      count++;
    }
    return count > 0 ? out : undefined;
  }
}

/** The items of a `kind: List` document (as kubectl prints several objects), else undefined. */
function listItems(value: unknown): unknown[] | undefined {
  if (kindOf(value) !== "List") return undefined;
  const items = (value as { items?: unknown }).items;
  return Array.isArray(items) ? items : [];
}

/**
 * Runs `sealbridge seal` with validated flags.
 * @throws InputError, RemoteError or DecryptError; nothing has been written when it throws.
 */
export async function runSeal(rawFlags: unknown, io: CommandIO): Promise<void> {
  const flags = parseSealFlags(rawFlags);
  const modes = [flags.raw, flags.mergeInto, flags.recoveryUnseal, flags.reEncrypt, flags.validate, flags.fetchCert].filter(Boolean).length;
  if (modes > 1) throw new InputError("conflicting flags: choose one of --raw, --merge-into, --recovery-unseal, --re-encrypt, --validate, --fetch-cert (see sealbridge seal --help)", { code: "InvalidFlags" });
  if (modes === 1) {
    const commands = await import("./sealed-secret-commands.js");
    if (flags.raw) return await commands.runRaw(flags, io);
    if (flags.mergeInto) return await commands.runMergeInto(flags, io);
    if (flags.recoveryUnseal) return await commands.runUnseal(flags, io);
    if (flags.reEncrypt) return await commands.runReencrypt(flags, io);
    if (flags.validate) return await commands.runValidate(flags, io);
    return await commands.runFetchCert(flags, io);
  }
  if (typeof flags.sealedSecretFile === "string") refuseOutputTarget(flags.sealedSecretFile);
  const run = new SealRun(flags, io);
  if (flags.secretFile.length === 0 && (io.stdin as { isTTY?: boolean }).isTTY) io.stderr.write("(tty detected: expecting json/yaml k8s resource in stdin)\n");
  const inputs = await readManifestInputs(flags.secretFile, io.stdin);
  if (flags.sealedSecretFile === true) return await sealInPlace(run, inputs, io);
  const outputs: unknown[] = [];
  let format = flags.format;
  for (const input of inputs) {
    const sealed = await run.sealInput(input, { skipOthers: false });
    if (sealed.size === 0) throw new InputError(`nothing to seal: ${input.source} holds no Secret (give a v1 Secret manifest)`, { code: "NoSecret" });
    outputs.push(...sealed.values());
    format ??= (await run.resolver.forFile(input.path)).format;
  }
  const target = typeof flags.sealedSecretFile === "string" ? flags.sealedSecretFile : undefined;
  const text = formatObjects(outputs, flags.format ?? (target ? formatForPath(target) : undefined) ?? format ?? "json");
  if (target) await writeFilesAtomically([{ path: target, text }]);
  else io.stdout.write(text);
}

/**
 * Refuses a `-w FILE` that must not be replaced before anything is sealed or written.
 * @throws InputError for a directory, a symbolic link or a read-only file.
 */
function refuseOutputTarget(path: string): void {
  const problem = targetProblem(path);
  if (!problem) return;
  if (problem.message.includes("is a directory")) {
    throw new InputError(`cannot write: ${path} is a directory (give -w a file name, or -w alone to seal the -f files in place)`, { code: problem.code });
  }
  throw problem;
}

/**
 * `seal -w` without a file: replaces the Secret documents (and Secret items of Lists) of every
 * input file in place. Each file's temp copy is written while the next file is sealed; nothing is
 * renamed over its original until every file has sealed.
 * @throws InputError, RemoteError or DecryptError; no input file has changed when it throws.
 */
async function sealInPlace(run: SealRun, inputs: readonly ManifestInput[], io: CommandIO): Promise<void> {
  if (inputs.some((input) => input.path === undefined)) throw new InputError("cannot seal in place: input is stdin (pass -f FILE with -w, or -w OUTPUT)", { code: "InvalidFlags" });
  const batch = new FileBatch();
  let written = 0;
  try {
    for (const input of inputs) {
      const path = input.path as string;
      let sealed: Map<number, unknown>;
      let manifest: EditableManifest;
      try {
        manifest = parseEditableManifest(input.text, input.source);
        sealed = await run.sealInput(input, { skipOthers: true, documents: manifest.values.map((value, index) => ({ index, value })) });
      } catch (err) {
        // A file found by walking a directory that is not a manifest (a Helm template) is skipped.
        if (input.fromDirectory && err instanceof InputError && err.code === "InvalidYAML") {
          io.stderr.write(`warning: skipped ${input.source}: not valid YAML\n`);
          continue;
        }
        throw err;
      }
      if (sealed.size === 0) {
        if (input.fromDirectory) continue;
        throw new InputError(`nothing to seal: ${input.source} holds no Secret (seal a file with kind: Secret)`, { code: "NoSecret" });
      }
      const format = manifestFormat(path, input.text);
      batch.stage({ path, text: manifest.render(sealed, format).text, mode: input.mode });
      written++;
    }
  } catch (err) {
    await batch.abort();
    throw err;
  }
  await batch.commit();
  if (written > 1 || inputs.some((i) => i.fromDirectory)) io.stderr.write(`sealed ${written} file(s) in place\n`);
}
