/**
 * The contract between the router and the backends mounted under it (secrets engines, auth
 * methods, `sys/`), and the cluster-wide services a backend may use.
 */
import type { LogicalResponse } from "./envelope.js";
import type { Body } from "./fields.js";
import type { RandomBytes } from "./seal.js";
import type { MountEntry, TokenEntry, VaultStorage } from "./storage.js";
import type { TokenStore } from "./tokens.js";
import type { PolicyStore } from "./policies.js";

/** A logical operation, as Vault maps HTTP methods to them (§1.4). */
export type Operation = "read" | "list" | "create" | "update" | "delete" | "patch";

/** One request as a backend sees it. */
export interface LogicalRequest {
  operation: Operation;
  /** The path relative to the mount, no leading slash; a list path ends with `/` (or is ""). */
  path: string;
  data: Body;
  query: URLSearchParams;
  /** The caller's token, when one was valid. */
  token: TokenEntry | null;
  mount: MountEntry;
  /** The remote address, for CIDR checks. */
  remoteAddr: string;
  /** The node that received the request. */
  node: NodeHandle;
}

/** What a backend may know and do about the node serving a request. */
export interface NodeHandle {
  index: number;
  standby: boolean;
  /** Seals this node (sys/seal). */
  seal(): void;
  /** Gives the HA lock to another unsealed node, if there is one (sys/step-down). */
  stepDown(): void;
}

/** A mounted backend. */
export interface Backend {
  /** Answers a request; null = nothing (404 on read/list, 204 otherwise). @throws VaultApiError */
  handle(req: LogicalRequest): Promise<LogicalResponse | null>;
  /**
   * For POST/PUT: whether the item exists (update) or not (create); undefined when the path has no
   * existence check (always update).
   */
  exists?(path: string): boolean | undefined;
  /** Paths served without a token (login). */
  unauthenticated?(path: string): boolean;
  /** Paths that need `sudo` in addition. */
  rootProtected?(path: string): boolean;
}

/** The cluster-wide services handed to backends. */
export interface VaultCore {
  storage: VaultStorage;
  /** Milliseconds, on the cluster's (advanceable) clock. */
  now(): number;
  random: RandomBytes;
  tokens: TokenStore;
  policies: PolicyStore;
}
