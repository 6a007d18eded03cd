/**
 * ESO's Vault path rules (providers/v1/vault `buildPath`): how a `remoteRef.key` and the store's
 * `path` and KV `version` become the Vault API path that is read.
 */

/** KV engine version of a store. */
export type KvVersion = "v1" | "v2";

/**
 * The Vault logical path (without `/v1/`) that ESO reads for `key`:
 * - store path `P`, KV v2: `foo`, `P/foo` and `P/data/foo` all give `P/data/foo`;
 * - store path `P`, KV v1: `foo` and `P/foo` give `P/foo`;
 * - no store path, KV v2: `secret/foo` gives `secret/data/foo`; a key holding `/data/` is used as is;
 * - no store path, KV v1: the key as is.
 * Leading slashes (`/dev/config`, as in ESO's docs) are dropped, as Vault's client does.
 */
export function vaultDataPath(key: string, storePath: string | undefined, version: KvVersion): string {
  const trimmedKey = key.replace(/^\/+/, "");
  if (storePath !== undefined && storePath !== "") {
    const mount = storePath.replace(/^\/+|\/+$/g, "");
    let rest = trimmedKey;
    const cut = `${mount}/`;
    if (rest.startsWith(cut)) {
      rest = rest.slice(cut.length);
      if (version === "v2" && rest.startsWith("data/")) rest = rest.slice("data/".length);
    }
    return version === "v2" ? `${mount}/data/${rest}` : `${mount}/${rest}`;
  }
  if (version === "v2" && !trimmedKey.includes("/data/")) {
    const [first, ...others] = trimmedKey.split("/");
    return [first, "data", ...others].join("/");
  }
  return trimmedKey;
}
