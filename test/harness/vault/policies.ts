/**
 * The policy store over the shared storage: write/read/delete with Vault's rules (`root` is
 * built in and immutable, `default` cannot be deleted, names are lowercased) and a parse cache
 * so each request's ACL is cheap.
 */
import { Acl, defaultPolicy, parsePolicy } from "./acl.js";
import type { PolicyRules } from "./acl.js";
import { badRequest } from "./envelope.js";
import type { VaultStorage } from "./storage.js";

/** Policies over the shared storage. */
export class PolicyStore {
  private readonly cache = new Map<string, { text: string; rules: PolicyRules }>();
  constructor(private readonly storage: () => VaultStorage) {}

  /** Installs the built-in `default` policy (done at init). */
  installDefault(): void {
    this.storage().policies.set("default", defaultPolicy.trim() + "\n");
  }

  /**
   * Writes a policy.
   * @returns warnings to report (a lowercased name).
   * @throws VaultApiError 400 on `root`, an empty or unparsable policy.
   */
  write(rawName: string, text: string): string[] {
    const name = rawName.toLowerCase();
    const warnings = name !== rawName ? [`policy name was converted to "${name}"`] : [];
    if (name === "root") throw badRequest('cannot update "root" policy');
    let body = text;
    if (body.trim() === "") throw badRequest("'policy' parameter not supplied or empty");
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(body.trim())) {
      const decoded = Buffer.from(body.trim(), "base64").toString("utf8");
      if (decoded.includes("path")) body = decoded;
    }
    try {
      parsePolicy(body);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    this.storage().policies.set(name, body);
    return warnings;
  }

  /** A policy's text, or undefined. `root` has no text and reads as "". */
  read(name: string): string | undefined {
    if (name === "root") return "";
    return this.storage().policies.get(name.toLowerCase());
  }

  /** Deletes a policy (idempotent). @throws VaultApiError 400 for `root` and `default`. */
  delete(name: string): void {
    const n = name.toLowerCase();
    if (n === "root") throw badRequest('cannot delete "root" policy');
    if (n === "default") throw badRequest("cannot delete default policy");
    this.storage().policies.delete(n);
  }

  /** Policy names, sorted, with `root` appended as Vault lists them. */
  names(): string[] {
    return [...[...this.storage().policies.keys()].sort(), "root"];
  }

  /** The merged ACL for a set of policy names. */
  aclFor(policyNames: readonly string[]): Acl {
    return new Acl(policyNames, (name) => this.rules(name));
  }

  private rules(name: string): PolicyRules | undefined {
    const text = this.storage().policies.get(name);
    if (text === undefined) return undefined;
    const hit = this.cache.get(name);
    if (hit !== undefined && hit.text === text) return hit.rules;
    const rules = parsePolicy(text);
    this.cache.set(name, { text, rules });
    return rules;
  }
}
