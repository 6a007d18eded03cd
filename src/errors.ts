/**
 * The error types sealbridge throws. Every message follows "<what failed>: <where> (<what to do>)"
 * and never contains a secret value, a token or a response body.
 */

/** Base class of every error sealbridge raises on purpose; the CLI prints only its message. */
export class SealbridgeError extends Error {
  /** A stable machine-readable code, e.g. `InvalidManifest`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Input the user gave (a file, a flag, a manifest) is wrong; fixing the input fixes it. */
export class InputError extends SealbridgeError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "InvalidInput", message, options);
  }
}

/** A ciphertext could not be opened: wrong key, wrong scope, tampered or truncated. */
export class DecryptError extends SealbridgeError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "DecryptFailed", message, options);
  }
}

/** A remote system (Kubernetes, Vault, DNS, ACME, a URL) failed or could not be reached. */
export class RemoteError extends SealbridgeError {
  /** HTTP status when there was one. */
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string; status?: number }) {
    super(options?.code ?? "RemoteFailed", message, options);
    this.status = options?.status;
  }
}

/** True for any error sealbridge raised on purpose (as opposed to a bug). */
export function isSealbridgeError(err: unknown): err is SealbridgeError {
  return err instanceof SealbridgeError;
}
