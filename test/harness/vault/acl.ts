/**
 * Vault ACL policies: parsing the HCL subset (`path "…" { capabilities = […] }` and the legacy
 * `policy = "read"`), merging a token's policies, and deciding an operation as Vault's
 * `AllowOperation` does (docs/concepts/policies, vault-api.md §8): exact rule first, then for LIST
 * the exact rule without the trailing slash, then the single best wildcard rule (`*` only at the
 * end, `+` one segment) by Vault's priority order; `deny` wins over everything.
 */
import { parseHcl } from "./hcl.js";

/** A capability Vault knows. */
export const capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo", "deny", "subscribe", "recover"] as const;
/** One capability. */
export type Capability = (typeof capabilities)[number];

const legacy: Record<string, Capability[]> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "patch", "delete", "list"],
  sudo: ["create", "read", "update", "patch", "delete", "list", "sudo"],
};

/** The parsed rules of one policy: path pattern → capabilities. */
export type PolicyRules = Map<string, Set<Capability>>;

/**
 * Parses a policy's HCL.
 * @throws Error with Vault's `failed to parse policy: …` text on bad syntax, capability or wildcard.
 */
export function parsePolicy(text: string): PolicyRules {
  const fail = (why: string): Error => new Error(`failed to parse policy: ${why}`);
  let body;
  try {
    body = parseHcl(text);
  } catch (err) {
    throw fail((err as Error).message);
  }
  const rules: PolicyRules = new Map();
  for (const block of body.blocks) {
    if (block.type !== "path") continue;
    const pattern = block.labels[0];
    if (pattern === undefined) throw fail("path block without a path");
    const name = pattern.replace(/^\//, "");
    if (name.includes("+*")) throw fail("invalid use of wildcards ('+*' is forbidden)");
    if (name.slice(0, -1).includes("*")) throw fail(`path "${pattern}": invalid use of wildcards ('*' is only allowed at the end)`);
    const caps = new Set<Capability>(rules.get(name) ?? []);
    const list = block.body.attributes.get("capabilities");
    if (list !== undefined) {
      if (!Array.isArray(list)) throw fail(`path "${pattern}": capabilities must be a list`);
      for (const c of list) {
        if (typeof c !== "string" || !(capabilities as readonly string[]).includes(c)) {
          throw fail(`path "${pattern}": invalid capability "${String(c)}"`);
        }
        caps.add(c as Capability);
      }
    }
    const policy = block.body.attributes.get("policy");
    if (policy !== undefined) {
      const mapped = typeof policy === "string" ? legacy[policy] : undefined;
      if (mapped === undefined) throw fail(`path "${pattern}": invalid policy "${String(policy)}"`);
      for (const c of mapped) caps.add(c);
    }
    rules.set(name, caps.has("deny") ? new Set(["deny"]) : caps);
  }
  return rules;
}

interface WildcardRule {
  pattern: string;
  caps: Set<Capability>;
  firstWildcard: number;
  isPrefix: boolean;
  plusCount: number;
}

function describe(pattern: string, caps: Set<Capability>): WildcardRule {
  const plus = pattern.indexOf("+");
  const star = pattern.endsWith("*") ? pattern.length - 1 : -1;
  const firstWildcard = plus < 0 ? star : star < 0 ? plus : Math.min(plus, star);
  return { pattern, caps, firstWildcard, isPrefix: star >= 0, plusCount: pattern.split("/").filter((s) => s === "+").length };
}

/** True when `a` has lower priority than `b` (Vault's five ordered rules, §8). */
function lowerPriority(a: WildcardRule, b: WildcardRule): boolean {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard < b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix;
  if (a.plusCount !== b.plusCount) return a.plusCount > b.plusCount;
  if (a.pattern.length !== b.pattern.length) return a.pattern.length < b.pattern.length;
  return a.pattern < b.pattern;
}

function matches(rule: WildcardRule, path: string): boolean {
  const body = rule.isPrefix ? rule.pattern.slice(0, -1) : rule.pattern;
  if (rule.plusCount === 0) return rule.isPrefix && path.startsWith(body);
  const want = body.split("/");
  const have = path.split("/");
  if (have.length < want.length) return false;
  if (!rule.isPrefix && have.length !== want.length) return false;
  return want.every((seg, i) => {
    const got = have[i] ?? "";
    if (seg === "+") return true;
    if (seg === got) return true;
    return rule.isPrefix && i === want.length - 1 && got.startsWith(seg);
  });
}

/** The merged ACL of a token's policies. */
export class Acl {
  readonly root: boolean;
  private readonly exact = new Map<string, Set<Capability>>();
  private readonly wildcards: WildcardRule[] = [];

  /** Builds the ACL from policy names and their parsed rules (a missing policy counts as empty). */
  constructor(policyNames: readonly string[], lookup: (name: string) => PolicyRules | undefined) {
    this.root = policyNames.includes("root");
    const merged = new Map<string, Set<Capability>>();
    for (const name of policyNames) {
      for (const [pattern, caps] of lookup(name) ?? []) {
        const prev = merged.get(pattern);
        const next = new Set([...(prev ?? []), ...caps]);
        merged.set(pattern, next.has("deny") ? new Set(["deny"]) : next);
      }
    }
    for (const [pattern, caps] of merged) {
      if (pattern.endsWith("*") || pattern.split("/").includes("+")) this.wildcards.push(describe(pattern, caps));
      else this.exact.set(pattern, caps);
    }
  }

  /** The capabilities that apply to a request path, found as Vault's `AllowOperation` looks them up. */
  capabilitiesFor(path: string, isList: boolean): Set<Capability> {
    const exact = this.exact.get(path) ?? (isList && path.endsWith("/") ? this.exact.get(path.slice(0, -1)) : undefined);
    if (exact !== undefined) return exact;
    let best: WildcardRule | undefined;
    for (const rule of this.wildcards) {
      if (matches(rule, path) && (best === undefined || lowerPriority(best, rule))) best = rule;
    }
    return best?.caps ?? new Set();
  }

  /**
   * Whether any rule grants something (other than deny) at or under `prefix`, or a wildcard rule
   * could reach into it — Vault's `hasMountAccess` preflight for sys/internal/ui/mounts.
   */
  hasAccessUnder(prefix: string): boolean {
    if (this.root) return true;
    const grants = (caps: Set<Capability>): boolean => caps.size > 0 && !caps.has("deny");
    for (const [pattern, caps] of this.exact) if (pattern.startsWith(prefix) && grants(caps)) return true;
    for (const rule of this.wildcards) {
      const literal = rule.pattern.slice(0, rule.firstWildcard);
      if ((literal.startsWith(prefix) || prefix.startsWith(literal)) && grants(rule.caps)) return true;
    }
    return false;
  }

  /** Whether the token may perform `capability` on `path` (plus `sudo` on root-protected paths). */
  allows(path: string, capability: Capability, needsSudo: boolean): boolean {
    if (this.root) return true;
    const caps = this.capabilitiesFor(path, capability === "list");
    if (caps.has("deny")) return false;
    if (needsSudo && !caps.has("sudo")) return false;
    return caps.has(capability);
  }
}

/** Vault's built-in `default` policy (§8; `vault/policy_store.go`). */
export const defaultPolicy = `
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
path "sys/capabilities-self" { capabilities = ["update"] }
path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }
path "identity/entity/name/{{identity.entity.name}}" { capabilities = ["read"] }
path "sys/internal/ui/resultant-acl" { capabilities = ["read"] }
path "sys/renew" { capabilities = ["update"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/lookup" { capabilities = ["update"] }
path "cubbyhole/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "sys/wrapping/wrap" { capabilities = ["update"] }
path "sys/wrapping/lookup" { capabilities = ["update"] }
path "sys/wrapping/unwrap" { capabilities = ["update"] }
path "sys/tools/hash" { capabilities = ["update"] }
path "sys/tools/hash/*" { capabilities = ["update"] }
path "sys/control-group/request" { capabilities = ["update"] }
path "identity/oidc/provider/+/authorize" { capabilities = ["read", "update"] }
`;
