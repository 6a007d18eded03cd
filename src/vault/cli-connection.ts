/**
 * Where the `vault` commands connect, from their flags and the environment as the vault and bao
 * CLIs read it (flags win): the address from `BAO_ADDR`, else `VAULT_ADDR`, else
 * `https://127.0.0.1:8200`; the CA file from `BAO_CACERT`/`VAULT_CACERT`; certificate checks off
 * when `BAO_SKIP_VERIFY`/`VAULT_SKIP_VERIFY` parses as true (Go's strconv.ParseBool; anything
 * else is an error, as the vault CLI's "could not parse VAULT_SKIP_VERIFY"). OpenBao reads each
 * `BAO_*` variable first and falls back to its `VAULT_*` twin (openbao api/env.go).
 * Pure: the environment comes in as a record.
 */
import { InputError } from "../errors.js";

/** The connection flags shared by the vault commands. */
export interface VaultConnectionFlags {
  address?: string[];
  caCert?: string;
  tlsSkipVerify?: boolean;
}

/** The resolved settings for direct connections. */
export interface VaultConnectionSettings {
  addresses: string[];
  caCertPath?: string;
  insecureSkipVerify: boolean;
}

/** The vault CLI's default address. */
export const DEFAULT_VAULT_ADDR = "https://127.0.0.1:8200";

function envVar(env: Record<string, string | undefined>, name: string): { name: string; value: string } | undefined {
  for (const prefix of ["BAO_", "VAULT_"]) {
    const value = env[`${prefix}${name}`];
    if (value !== undefined && value !== "") return { name: `${prefix}${name}`, value };
  }
  return undefined;
}

/**
 * Go's strconv.ParseBool.
 * @returns the boolean, or undefined when `value` is not one of Go's spellings.
 */
export function parseGoBool(value: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}

function checkAddress(addr: string, where: string): string {
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new InputError(`invalid Vault address: ${where} is not a URL (pass e.g. https://vault.example:8200)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InputError(`invalid Vault address: ${where} is not http(s) (pass e.g. https://vault.example:8200)`);
  return addr.replace(/\/+$/, "");
}

/**
 * Resolves addresses, CA file and verification from flags and environment.
 * @throws InputError on an invalid address or an unparsable *_SKIP_VERIFY.
 */
export function resolveVaultConnection(flags: VaultConnectionFlags, env: Record<string, string | undefined>): VaultConnectionSettings {
  const fromFlags = flags.address ?? [];
  const addrEnv = envVar(env, "ADDR");
  const addresses =
    fromFlags.length > 0
      ? fromFlags.map((a, i) => checkAddress(a, `--address #${i + 1}`))
      : [checkAddress(addrEnv?.value ?? DEFAULT_VAULT_ADDR, addrEnv?.name ?? "the default address")];
  const caEnv = envVar(env, "CACERT");
  const caCertPath = flags.caCert ?? caEnv?.value;
  let insecureSkipVerify = flags.tlsSkipVerify === true;
  if (!insecureSkipVerify) {
    const skip = envVar(env, "SKIP_VERIFY");
    if (skip !== undefined) {
      const parsed = parseGoBool(skip.value);
      if (parsed === undefined) throw new InputError(`could not parse ${skip.name}: not a boolean (set it to true or false, or unset it)`);
      insecureSkipVerify = parsed;
    }
  }
  return { addresses, ...(caCertPath !== undefined ? { caCertPath } : {}), insecureSkipVerify };
}
