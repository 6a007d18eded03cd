/**
 * The kubeseal modes beyond plain sealing: `--raw`, `--merge-into`, `--recovery-unseal` (and
 * `sealbridge unseal`), `--re-encrypt`, `--validate` and `--fetch-cert`.
 */
import { readFile } from "node:fs/promises";
import type { KeyObject } from "node:crypto";
import { parsePrivateKeys } from "../crypto/sealing-key.js";
import { scopeFromAnnotations } from "../crypto/scope.js";
import { InputError, RemoteError } from "../errors.js";
import { kindOf, parseSealedSecretDocument, parseSecretDocument, describeKind, locatedDocuments, parseManifestText } from "./document-parsing.js";
import { writeFilesAtomically } from "./file-batch.js";
import { readManifestInputs, readStreamBytes } from "./manifest-inputs.js";
import { formatForPath, manifestFormat } from "../manifest/format.js";
import { formatObject, formatObjects, rewriteManifestText, type OutputFormat } from "./manifest-output.js";
import { controllerReencryptor, offlineReencryptor, type Reencryptor } from "./reencryptor.js";
import { mergeSealedSecret, sealRawValue } from "./sealed-secret-builder.js";
import { sealedSecretToSecret } from "./sealed-secret-opener.js";
import { SealRun, type CommandIO, type SealFlags } from "./seal-command.js";
import { checkSealableNames } from "./secret-names.js";

/**
 * Reads the private keys named by `--recovery-private-key` (each may be a comma-separated list).
 * @throws InputError when a file cannot be read or holds no usable key.
 */
export async function readRecoveryKeys(files: readonly string[]): Promise<KeyObject[]> {
  const keys: KeyObject[] = [];
  for (const file of files.flatMap((f) => f.split(",")).filter((f) => f !== "")) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      throw new InputError(`cannot read private key: ${file} (${(err as NodeJS.ErrnoException).code ?? "unreadable"}; check the path given to --recovery-private-key)`, { cause: err, code: "KeyUnreadable" });
    }
    keys.push(...parsePrivateKeys(text, file));
  }
  return keys;
}

/** `--raw`: seals one value from `--from-file` (kubectl's `[key=]path` form) or stdin. */
export async function runRaw(flags: SealFlags, io: CommandIO): Promise<void> {
  const run = new SealRun(flags, io);
  const settings = await run.resolver.forFile(undefined);
  let value: Buffer;
  const source = flags.fromFile?.replace(/^[^=/]*=/, "");
  if (source === undefined || source === "-" || source === "/dev/stdin") value = await readStreamBytes(io.stdin);
  else {
    try {
      value = await readFile(source);
    } catch (err) {
      throw new InputError(`cannot read value: ${source} (${(err as NodeJS.ErrnoException).code ?? "unreadable"}; check the path given to --from-file)`, { cause: err, code: "InputUnreadable" });
    }
  }
  checkSealableNames({ name: flags.name, namespace: flags.namespace, keys: [] }, "--raw");
  const cert = await run.resolver.certificate(settings);
  io.stdout.write(sealRawValue(value, { publicKey: cert.publicKey, scope: flags.scope ?? settings.scope ?? "strict", namespace: flags.namespace, name: flags.name }));
}

function fileFormat(path: string, text: string): OutputFormat {
  return manifestFormat(path, text);
}

/** `--merge-into FILE`: seals the input Secret's items into an existing SealedSecret file, in place. */
export async function runMergeInto(flags: SealFlags, io: CommandIO): Promise<void> {
  const target = flags.mergeInto as string;
  const [existingInput] = await readManifestInputs([target], io.stdin);
  const existingDocs = parseManifestText(existingInput?.text ?? "", target).filter((d) => d.value !== null);
  if (existingDocs.length !== 1) throw new InputError(`cannot merge: ${target} must hold exactly one SealedSecret (it holds ${existingDocs.length} documents)`, { code: "InvalidMergeTarget" });
  const existing = await parseSealedSecretDocument(existingDocs[0]?.value, `${target}, document 0`);
  const inputs = await readManifestInputs(flags.secretFile, io.stdin);
  const secrets = inputs.flatMap((input) => locatedDocuments(input.text, input.source));
  if (secrets.length !== 1) throw new InputError(`cannot merge: the input must hold exactly one Secret (it holds ${secrets.length} documents)`, { code: "InvalidFlags" });
  const secret = parseSecretDocument(secrets[0]?.value, secrets[0]?.where ?? "input");
  // Bind to the existing object's name, namespace and (unless asked otherwise) scope, so merged
  // values open exactly where the existing ones do.
  const run = new SealRun({ ...flags, name: existing.metadata?.name ?? flags.name, namespace: existing.metadata?.namespace ?? flags.namespace }, io);
  const settings = await run.resolver.forFile(target);
  const scope = flags.scope ?? (scopeFromAnnotations(secret.metadata?.annotations) !== "strict" ? undefined : scopeFromAnnotations(existing.metadata?.annotations));
  const update = await run.sealDocument(secret, secrets[0]?.where ?? "input", { ...settings, kind: "SealedSecret" }, scope);
  const merged = mergeSealedSecret(existing, await parseSealedSecretDocument(update, "sealed input"));
  const format = fileFormat(target, existingInput?.text ?? "");
  const text = format === "json" ? formatObject(merged, "json") : rewriteManifestText(existingInput?.text ?? "", target, "yaml", () => merged).text;
  await writeFilesAtomically([{ path: target, text }]);
}

/** `--recovery-unseal` / `sealbridge unseal`: SealedSecrets (and AgeSecrets) → Secrets on stdout. */
export async function runUnseal(flags: SealFlags, io: CommandIO): Promise<void> {
  const inputs = await readManifestInputs(flags.secretFile, io.stdin);
  const keys = flags.recoveryPrivateKey.length > 0 ? await readRecoveryKeys(flags.recoveryPrivateKey) : [];
  let identities: string[] | undefined;
  const outputs: unknown[] = [];
  for (const input of inputs) {
    for (const { value, where } of locatedDocuments(input.text, input.source)) {
      const kind = kindOf(value);
      if (kind === "AgeSecret") {
        if (flags.identity.length === 0) throw new InputError(`cannot unseal: ${where} is an AgeSecret (pass -i IDENTITY_FILE)`, { code: "NoIdentity" });
        if (!identities) {
          const { readIdentityFile } = await import("../crypto/age-keys.js");
          identities = (await Promise.all(flags.identity.map((file) => readIdentityFile(file)))).flat();
        }
        const { ageSecretToSecret } = await import("./age-seal.js");
        outputs.push(await ageSecretToSecret(value, identities, where));
      } else if (kind === "SealedSecret") {
        if (keys.length === 0) throw new InputError(`cannot unseal: ${where} is a SealedSecret (pass --recovery-private-key FILE)`, { code: "NoPrivateKey" });
        outputs.push(sealedSecretToSecret(await parseSealedSecretDocument(value, where), keys, where));
      } else {
        throw new InputError(`cannot unseal: ${where} is ${describeKind(value)} (give SealedSecret or AgeSecret manifests)`, { code: "NotASealedSecret" });
      }
    }
  }
  if (outputs.length === 0) throw new InputError("nothing to unseal: the input holds no documents (give SealedSecret or AgeSecret manifests)", { code: "NoSecret" });
  const text = formatObjects(outputs, flags.format ?? "json");
  if (typeof flags.sealedSecretFile === "string") await writeFilesAtomically([{ path: flags.sealedSecretFile, text }]);
  else io.stdout.write(text);
}

/** How to re-encrypt without the controller, for its error messages. */
const REENCRYPT_OFFLINE_HINT = "re-encrypt offline with --recovery-private-key KEY --cert NEW_CERT";

/**
 * Re-encryptors per file, as these flags and each file's `.sealbridge.yaml` rule ask: offline
 * with `--recovery-private-key` and the newest certificate (flag, rule or controller), else the
 * controller's `/v1/rotate`. Keys are read once; one re-encryptor per certificate or controller.
 */
export class ReencryptorSet {
  private keys: Promise<KeyObject[]> | undefined;
  private readonly byTarget = new Map<string, Promise<Reencryptor>>();

  constructor(private readonly run: SealRun) {}

  /**
   * The re-encryptor for a file (undefined: stdin).
   * @throws InputError / RemoteError when keys, certificate or controller cannot be had.
   */
  async forFile(path: string | undefined): Promise<Reencryptor> {
    const settings = await this.run.resolver.forFile(path);
    const offline = this.run.flags.recoveryPrivateKey.length > 0;
    const target = offline && settings.cert ? `cert:${settings.cert}` : `controller:${settings.controller.namespace}/${settings.controller.name}`;
    let reencryptor = this.byTarget.get(target);
    if (!reencryptor) {
      reencryptor = (async () => {
        if (offline) {
          this.keys ??= readRecoveryKeys(this.run.flags.recoveryPrivateKey);
          const cert = await this.run.resolver.certificate(settings);
          return offlineReencryptor(await this.keys, cert.publicKey);
        }
        const { connectControllerProxy } = await import("./controller-proxy.js");
        return controllerReencryptor(await connectControllerProxy({ ...settings.controller, offlineHint: REENCRYPT_OFFLINE_HINT }));
      })();
      this.byTarget.set(target, reencryptor);
    }
    return await reencryptor;
  }
}

/** `--re-encrypt`: SealedSecrets to the newest key; with only `-f`, the files are rewritten in place. */
export async function runReencrypt(flags: SealFlags, io: CommandIO): Promise<void> {
  const run = new SealRun(flags, io);
  const inputs = await readManifestInputs(flags.secretFile, io.stdin);
  const reencryptors = new ReencryptorSet(run);
  const writes: Array<{ path: string; text: string }> = [];
  const outputs: unknown[] = [];
  let printsOutput = false;
  for (const input of inputs) {
    // With only -f (or a bare -w), files are rewritten in place; other documents there are kept.
    const inPlace = input.path !== undefined && (flags.sealedSecretFile === undefined || flags.sealedSecretFile === true);
    const results = new Map<number, unknown>();
    for (const doc of locatedDocuments(input.text, input.source)) {
      if ((inPlace || input.fromDirectory) && kindOf(doc.value) !== "SealedSecret") continue;
      const { where } = doc;
      const sealed = await parseSealedSecretDocument(doc.value, where);
      const fresh = await (await reencryptors.forFile(input.path))(sealed, where);
      if (fresh || !inPlace) results.set(doc.index, fresh ?? sealed);
    }
    if (inPlace) {
      if (results.size > 0) writes.push({ path: input.path as string, text: rewriteManifestText(input.text, input.source, fileFormat(input.path as string, input.text), (_v, i) => results.get(i)).text });
    } else {
      printsOutput = true;
      outputs.push(...results.values());
    }
  }
  await writeFilesAtomically(writes);
  if (!printsOutput) return;
  const target = typeof flags.sealedSecretFile === "string" ? flags.sealedSecretFile : undefined;
  const text = formatObjects(outputs, flags.format ?? (target ? formatForPath(target) : undefined) ?? "json");
  if (target) await writeFilesAtomically([{ path: target, text }]);
  else io.stdout.write(text);
}

/** `--validate`: asks the controller (`POST /v1/verify`) whether it can decrypt each SealedSecret. */
export async function runValidate(flags: SealFlags, io: CommandIO): Promise<void> {
  const run = new SealRun(flags, io);
  const inputs = await readManifestInputs(flags.secretFile, io.stdin);
  const { connectControllerProxy } = await import("./controller-proxy.js");
  // Only the controller can say whether it can decrypt: there is no offline way to offer.
  const proxy = await connectControllerProxy({ ...(await run.resolver.forFile(inputs[0]?.path)).controller, offlineHint: null });
  for (const input of inputs) {
    for (const { value, where } of locatedDocuments(input.text, input.source)) {
      const sealed = await parseSealedSecretDocument(value, where);
      const answer = await proxy.request("POST", "/v1/verify", JSON.stringify(sealed));
      if (answer.status === 409) throw new InputError(`invalid SealedSecret: ${where} cannot be decrypted by the controller (re-seal it with the controller's certificate, for this name and namespace)`, { code: "InvalidSealedSecret" });
      if (answer.status !== 200) throw new RemoteError(`cannot validate ${where}: the controller answered HTTP ${answer.status} (check the controller)`, { status: answer.status });
    }
  }
}

/** `--fetch-cert`: prints the certificate (from `--cert` URL/file or the controller). */
export async function runFetchCert(flags: SealFlags, io: CommandIO): Promise<void> {
  const run = new SealRun(flags, io);
  const settings = await run.resolver.forFile(undefined);
  const { loadCertificateText } = await import("./cert-source.js");
  const { pem } = await loadCertificateText(settings.cert, settings.controller, settings.certOrigin);
  io.stdout.write(pem.endsWith("\n") ? pem : `${pem}\n`);
}
