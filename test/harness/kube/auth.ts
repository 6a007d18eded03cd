/**
 * Authentication for the Kubernetes test server: the static admin token, and ServiceAccount
 * tokens issued by TokenRequest as RS256 JWTs and checked as kube-apiserver's ServiceAccount
 * token authenticator does (signature, expiry, audiences, the ServiceAccount still existing with
 * the same uid). See https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/
 * and https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/.
 */
import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from "node:crypto";

/** An authenticated user as authorizers see it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The default issuer (and API audience) of the test server's tokens. */
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The admin user the kubeconfig's token maps to (kubeadm's name; group system:masters). */
export const ADMIN_USER: UserInfo = { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] };

/** The issuer of legacy (Secret-based) ServiceAccount tokens. */
export const LEGACY_ISSUER = "kubernetes/serviceaccount";

/** Claims of a legacy ServiceAccount token Secret's token (pkg/serviceaccount/legacy.go). */
interface LegacyClaims {
  iss: string;
  sub: string;
  "kubernetes.io/serviceaccount/namespace": string;
  "kubernetes.io/serviceaccount/secret.name": string;
  "kubernetes.io/serviceaccount/service-account.name": string;
  "kubernetes.io/serviceaccount/service-account.uid": string;
}

/** Claims of an issued token. */
interface Claims {
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  iss: string;
  jti: string;
  sub: string;
  "kubernetes.io": {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
  };
}

function b64url(buf: Buffer | string): string {
  return Buffer.from(buf).toString("base64url");
}

/** Outcome of checking a token. */
export type TokenCheck = { ok: true; user: UserInfo; audiences: string[] } | { ok: false; error: string };

/** Issues and checks tokens; see the module comment. */
export class TokenAuthority {
  private readonly key: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;

  constructor(
    keyPem: string,
    readonly issuer: string,
    readonly adminToken: string,
    private readonly nowMs: () => number,
    /** The uid of an existing ServiceAccount, or undefined. */
    private readonly serviceAccountUid: (namespace: string, name: string) => string | undefined,
    /** The base64 `data.token` of an existing Secret, or undefined (legacy tokens). */
    private readonly secretToken: (namespace: string, name: string) => string | undefined = () => undefined,
  ) {
    this.key = createPrivateKey(keyPem);
    this.publicKey = createPublicKey(this.key);
    this.kid = b64url(this.publicKey.export({ type: "spki", format: "der" }).subarray(-16));
  }

  /**
   * Signs a token for a ServiceAccount. `expirationSeconds` defaults to 3600; audiences default
   * to the issuer (the API audience).
   */
  issue(
    namespace: string,
    name: string,
    saUid: string,
    opts: { audiences?: string[]; expirationSeconds?: number; boundObject?: { kind: string; name: string; uid: string } } = {},
  ): { token: string; expirationTimestamp: Date } {
    const now = Math.floor(this.nowMs() / 1000);
    const exp = now + (opts.expirationSeconds ?? 3600);
    const claims: Claims = {
      aud: opts.audiences && opts.audiences.length > 0 ? opts.audiences : [this.issuer],
      exp,
      iat: now,
      nbf: now,
      iss: this.issuer,
      jti: randomUUID(),
      sub: `system:serviceaccount:${namespace}:${name}`,
      "kubernetes.io": { namespace, serviceaccount: { name, uid: saUid } },
    };
    const b = opts.boundObject;
    if (b && b.kind === "Pod") claims["kubernetes.io"].pod = { name: b.name, uid: b.uid };
    if (b && b.kind === "Secret") claims["kubernetes.io"].secret = { name: b.name, uid: b.uid };
    return { token: this.sign(claims), expirationTimestamp: new Date(exp * 1000) };
  }

  private sign(claims: object): string {
    const head = b64url(JSON.stringify({ alg: "RS256", kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    return `${head}.${body}.${b64url(sign("sha256", Buffer.from(`${head}.${body}`), this.key))}`;
  }

  /**
   * Signs a non-expiring legacy token for a `kubernetes.io/service-account-token` Secret, as the
   * token controller writes into `data.token`.
   */
  issueLegacy(namespace: string, secretName: string, saName: string, saUid: string): string {
    const claims: LegacyClaims = {
      iss: LEGACY_ISSUER,
      "kubernetes.io/serviceaccount/namespace": namespace,
      "kubernetes.io/serviceaccount/secret.name": secretName,
      "kubernetes.io/serviceaccount/service-account.name": saName,
      "kubernetes.io/serviceaccount/service-account.uid": saUid,
      sub: `system:serviceaccount:${namespace}:${saName}`,
    };
    return this.sign(claims);
  }

  private checkLegacy(token: string, claims: LegacyClaims, audiences: string[]): TokenCheck {
    const ns = claims["kubernetes.io/serviceaccount/namespace"];
    const sa = claims["kubernetes.io/serviceaccount/service-account.name"];
    const secret = claims["kubernetes.io/serviceaccount/secret.name"];
    // Legacy tokens carry no audience: they are valid for the API server's own audiences only.
    if (!audiences.includes(this.issuer)) {
      return { ok: false, error: `[invalid bearer token, token audiences [] is invalid for the target audiences [${audiences.join(" ")}]]` };
    }
    const stored = this.secretToken(ns, secret);
    if (stored === undefined || Buffer.from(stored, "base64").toString("utf8") !== token) {
      return { ok: false, error: `[invalid bearer token, secret ${ns}/${secret} has been deleted or does not reference this token]` };
    }
    const uid = this.serviceAccountUid(ns, sa);
    if (uid === undefined) return { ok: false, error: `[invalid bearer token, service account ${ns}/${sa} has been deleted]` };
    if (uid !== claims["kubernetes.io/serviceaccount/service-account.uid"]) {
      return { ok: false, error: `[invalid bearer token, service account UID (${claims["kubernetes.io/serviceaccount/service-account.uid"]}) does not match expected value (${uid})]` };
    }
    return {
      ok: true,
      audiences: [this.issuer],
      user: { username: claims.sub, uid, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"] },
    };
  }

  /** Checks a ServiceAccount JWT against `audiences` (default: the API audience). */
  checkJwt(token: string, audiences: string[] = [this.issuer]): TokenCheck {
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, error: "[invalid bearer token, token lookup failed]" };
    const [head, body, sig] = parts as [string, string, string];
    let claims: Claims;
    try {
      const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
      if (header.alg !== "RS256") return { ok: false, error: "[invalid bearer token, token lookup failed]" };
      if (!verify("sha256", Buffer.from(`${head}.${body}`), this.publicKey, Buffer.from(sig, "base64url"))) {
        return { ok: false, error: "[invalid bearer token, square/go-jose: error in cryptographic primitive]" };
      }
      claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Claims;
    } catch {
      return { ok: false, error: "[invalid bearer token, token lookup failed]" };
    }
    if ((claims as { iss?: string }).iss === LEGACY_ISSUER) return this.checkLegacy(token, claims as unknown as LegacyClaims, audiences);
    if (claims.iss !== this.issuer) return { ok: false, error: "[invalid bearer token, token lookup failed]" };
    const now = Math.floor(this.nowMs() / 1000);
    if (claims.exp <= now) return { ok: false, error: "[invalid bearer token, service account token has expired]" };
    const granted = claims.aud.filter((a) => audiences.includes(a));
    if (granted.length === 0) return { ok: false, error: "[invalid bearer token, token audiences [" + claims.aud.join(" ") + "] is invalid for the target audiences [" + audiences.join(" ") + "]]" };
    const k = claims["kubernetes.io"];
    const uid = this.serviceAccountUid(k.namespace, k.serviceaccount.name);
    if (uid === undefined) {
      return { ok: false, error: `[invalid bearer token, service account ${k.namespace}/${k.serviceaccount.name} has been deleted]` };
    }
    if (uid !== k.serviceaccount.uid) {
      return { ok: false, error: `[invalid bearer token, service account UID (${k.serviceaccount.uid}) does not match expected value (${uid})]` };
    }
    const extra: Record<string, string[]> = { "authentication.kubernetes.io/credential-id": [`JTI=${claims.jti}`] };
    if (k.pod) {
      extra["authentication.kubernetes.io/pod-name"] = [k.pod.name];
      extra["authentication.kubernetes.io/pod-uid"] = [k.pod.uid];
    }
    return {
      ok: true,
      audiences: granted,
      user: {
        username: claims.sub,
        uid,
        groups: ["system:serviceaccounts", `system:serviceaccounts:${k.namespace}`, "system:authenticated"],
        extra,
      },
    };
  }

  /**
   * Authenticates a request's bearer token: the admin token or a ServiceAccount JWT for the API
   * audience. Returns null for an unknown or invalid token (the server answers 401).
   */
  authenticate(token: string): UserInfo | null {
    if (token === this.adminToken) return ADMIN_USER;
    const r = this.checkJwt(token);
    return r.ok ? r.user : null;
  }

  /** The `status` of a TokenReview for `token` as the real authenticator answers it. */
  review(token: string, audiences: string[] | undefined): Record<string, unknown> {
    const wanted = audiences && audiences.length > 0 ? audiences : [this.issuer];
    if (token === this.adminToken) {
      return { authenticated: true, user: { username: ADMIN_USER.username, groups: ADMIN_USER.groups }, audiences: wanted };
    }
    const r = this.checkJwt(token, wanted);
    if (!r.ok) return { user: {}, error: r.error };
    return { authenticated: true, user: r.user, audiences: r.audiences };
  }
}
