/**
 * Logical request handling, in Vault's order (vault-api.md §1.2–1.4, §3, §7.5, §8): sealed → 503;
 * resolve the mount; check the token (unless the path is unauthenticated); decide create vs
 * update by the backend's existence check; check the ACL (`sudo` on root-protected paths); call
 * the backend; turn nil reads/lists into 404 `{"errors":[]}`.
 */
import type { Backend, LogicalRequest, NodeHandle, Operation, VaultCore } from "./backend.js";
import { approleBackend } from "./auth-approle.js";
import { kubernetesBackend } from "./auth-kubernetes.js";
import { tokenBackend } from "./auth-token.js";
import { aclDeniedText, errorReply, invalidTokenText, logicalReply, sealedError, VaultApiError } from "./envelope.js";
import type { VaultReply } from "./envelope.js";
import type { Body } from "./fields.js";
import { kvBackend } from "./kv.js";
import { kvV1Backend } from "./kv-v1.js";
import type { MountEntry, TokenEntry } from "./storage.js";
import { sysBackend } from "./sys.js";
import type { Capability } from "./acl.js";

/** A request after HTTP parsing. */
export interface IncomingLogical {
  operation: Operation;
  /** Path after `/v1/`, with a trailing `/` for list. */
  path: string;
  query: URLSearchParams;
  data: Body;
  token: string | null;
  remoteAddr: string;
}

function backendFor(core: VaultCore, mount: MountEntry, token: TokenEntry | null): Backend {
  switch (mount.type) {
    case "system":
      return sysBackend(core);
    case "kv":
      return kvBackend(core, mount);
    case "cubbyhole":
      return kvV1Backend(core, mount, () => token?.id ?? "");
    case "token":
      return tokenBackend(core);
    case "kubernetes":
      return kubernetesBackend(core, mount);
    case "approle":
      return approleBackend(core, mount);
    default:
      return {
        async handle(req) {
          throw new VaultApiError(404, [`no handler for route "${req.mount.path}${req.path}". route entry not found.`]);
        },
      };
  }
}

/** The mount serving a path: the longest mount path that prefixes it (auth mounts under `auth/`). */
function resolveMount(core: VaultCore, path: string): { mount: MountEntry; fullMountPath: string } | null {
  const isAuth = path.startsWith("auth/");
  const table = isAuth ? core.storage.authMounts : core.storage.mounts;
  const rel = isAuth ? path.slice(5) : path;
  let best: MountEntry | null = null;
  for (const m of table.values()) {
    if (rel.startsWith(m.path) && (best === null || m.path.length > best.path.length)) best = m;
  }
  return best === null ? null : { mount: best, fullMountPath: isAuth ? `auth/${best.path}` : best.path };
}

/**
 * Handles one logical request on a node.
 * @returns the HTTP reply (never throws: errors become `{"errors":[…]}`).
 */
export async function handleLogical(core: VaultCore, node: NodeHandle & { sealed: boolean }, inc: IncomingLogical): Promise<VaultReply> {
  try {
    if (node.sealed) throw sealedError();
    const resolved = resolveMount(core, inc.path);
    const rel = resolved === null ? inc.path : inc.path.slice(resolved.fullMountPath.length);
    const token: TokenEntry | null = inc.token === null || inc.token === "" ? null : core.tokens.lookup(inc.token);
    const backend = resolved === null ? null : backendFor(core, resolved.mount, token);
    // Unauthenticated paths (logins, sys/internal/ui/mounts) ignore a bad token and skip the ACL;
    // a valid one is still passed on (vault-api.md §1.3).
    const unauth = backend?.unauthenticated?.(rel) ?? false;
    if (!unauth) {
      if (inc.token === null || inc.token === "") throw new VaultApiError(403, ["permission denied"]);
      if (token === null) throw new VaultApiError(403, [invalidTokenText]);
    }
    let operation = inc.operation;
    if (operation === "update" && backend?.exists?.(rel) === false) operation = "create";
    if (token !== null && !unauth) {
      const acl = core.policies.aclFor(token.policies);
      const needsSudo = backend?.rootProtected?.(rel) ?? false;
      if (!acl.allows(inc.path, operation as Capability, needsSudo)) throw new VaultApiError(403, [aclDeniedText]);
    }
    if (resolved === null || backend === null) {
      throw new VaultApiError(404, [`no handler for route "${inc.path}". route entry not found.`]);
    }
    const req: LogicalRequest = {
      operation,
      path: rel,
      data: inc.data,
      query: inc.query,
      token,
      mount: resolved.mount,
      remoteAddr: inc.remoteAddr,
      node,
    };
    const resp = await backend.handle(req);
    if (token !== null && token.numUses > 0) {
      token.numUses -= 1;
      if (token.numUses === 0) core.tokens.revoke(token.id);
    }
    if (resp === null && (operation === "read" || operation === "list")) return errorReply(404, []);
    if (operation === "list" && resp !== null) {
      const keys = resp.data?.["keys"];
      if (!Array.isArray(keys) || keys.length === 0) {
        if (!resp.warnings || resp.warnings.length === 0) return errorReply(404, []);
      }
    }
    return logicalReply(resp, resolved.mount.type === "system" ? "system" : resolved.mount.type);
  } catch (err) {
    if (err instanceof VaultApiError) return errorReply(err.status, err.errors);
    return errorReply(500, [`internal error: ${(err as Error).message}`]);
  }
}
