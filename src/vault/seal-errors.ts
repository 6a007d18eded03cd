/**
 * Errors of the seal lifecycle (init, unseal, seal status) against one Vault node. Each message is
 * one line: what failed, which node, what to do. Never a share, a token or Vault's response body:
 * Vault's own error text is reduced to a known kind before it reaches a message.
 */
import { RemoteError } from "../errors.js";

/** What went wrong with one node, as a stable code. */
export const SEAL_FAILURES = {
  /** No answer: connection refused, DNS, TLS, timeout. */
  unreachable: "VaultUnreachable",
  /** The threshold was reached and the combined key did not open Vault (400/500 "invalid key"). */
  wrongShareSet: "VaultWrongShareSet",
  /** The submitted text is not an unseal key (bad encoding or length). */
  notAShare: "VaultNotAShare",
  /** sys/unseal on a Vault that was never initialised. */
  notInitialized: "VaultNotInitialized",
  /** sys/init on a Vault that already is. */
  alreadyInitialized: "VaultAlreadyInitialized",
  /** Vault refused the request for another reason (status kept, text not). */
  refused: "VaultRefused",
  /** An answer without the documented shape. */
  badResponse: "VaultBadResponse",
} as const;
/** One of {@link SEAL_FAILURES}. */
export type SealFailure = (typeof SEAL_FAILURES)[keyof typeof SEAL_FAILURES];

/** The user-facing sentence for a wrong share combination (the wording). */
export const WRONG_SHARE_SET_TEXT = "the shares submitted do not open this Vault; progress was reset";

/** A seal-lifecycle request to one node failed. `node` is its address or `pod ns/name`. */
export class VaultNodeError extends RemoteError {
  readonly failure: SealFailure;
  readonly node: string;
  constructor(failure: SealFailure, node: string, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, { code: failure, ...(options?.status !== undefined ? { status: options.status } : {}), ...(options?.cause !== undefined ? { cause: options.cause } : {}) });
    this.failure = failure;
    this.node = node;
  }
}

/**
 * A one-line, share-free description of a failure for `node`.
 * @param detail a network error code (`ECONNREFUSED`) or an HTTP status text; never a body.
 */
export function describeFailure(failure: SealFailure, node: string, detail: string): string {
  switch (failure) {
    case SEAL_FAILURES.unreachable:
      return `cannot reach Vault: ${node} (${detail}; check the address, the port and that the node is running)`;
    case SEAL_FAILURES.wrongShareSet:
      return `unseal failed: ${node}: ${WRONG_SHARE_SET_TEXT} (check that every holder used a share of this Vault; start again with the right shares)`;
    case SEAL_FAILURES.notAShare:
      return `unseal failed: ${node} rejected the share as not an unseal key (${detail}; check that the share file belongs to this Vault)`;
    case SEAL_FAILURES.notInitialized:
      return `Vault is not initialized: ${node} (run sealbridge vault init first)`;
    case SEAL_FAILURES.alreadyInitialized:
      return `Vault is already initialized: ${node} (nothing to do; its existing shares unseal it)`;
    case SEAL_FAILURES.refused:
      return `Vault refused the request: ${node} (${detail})`;
    case SEAL_FAILURES.badResponse:
      return `Vault answered unexpectedly: ${node} (${detail}; check that the address points at Vault or OpenBao)`;
  }
}
