/**
 * The TokenReview call auth/kubernetes makes (vault-plugin-auth-kubernetes `token_review.go`;
 * vault-api.md §9.3 step 5–6): POST to `<host>/apis/authentication.k8s.io/v1/tokenreviews` over
 * HTTPS trusting the configured CA, then the same checks Vault applies to the answer.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** Who the Kubernetes API says the token belongs to. */
export interface ReviewedAccount {
  namespace: string;
  name: string;
  uid: string;
}

/** The TokenReview request to send. */
export interface ReviewRequest {
  host: string;
  caPem: string;
  bearer: string;
  jwt: string;
  audiences: string[];
}

function post(url: URL, caPem: string, bearer: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "http:" ? httpRequest : httpsRequest;
    const req = send(
      url,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          Authorization: `Bearer ${bearer}`,
          "Content-Length": Buffer.byteLength(body),
        },
        ...(url.protocol === "https:" && caPem !== "" ? { ca: caPem } : {}),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("tokenreview timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** The TokenReview URL for a configured `kubernetes_host` (host, host:port or URL). */
export function tokenReviewUrl(host: string): URL {
  const base = /^https?:\/\//.test(host) ? host : `https://${host}`;
  return new URL(`${base.replace(/\/+$/, "")}/apis/authentication.k8s.io/v1/tokenreviews`);
}

/**
 * Sends the TokenReview and checks the answer as Vault does.
 * @throws Error with Vault's (debug-logged) reason when the review fails; the caller answers 403
 * `permission denied` whatever the reason.
 */
export async function reviewToken(r: ReviewRequest): Promise<ReviewedAccount> {
  const spec: Record<string, unknown> = { token: r.jwt };
  if (r.audiences.length > 0) spec["audiences"] = r.audiences;
  // json.Marshal(authv1.TokenReview{…}): no kind/apiVersion, empty metadata and status objects.
  const body = JSON.stringify({ metadata: { creationTimestamp: null }, spec, status: { user: {} } });
  const res = await post(tokenReviewUrl(r.host), r.caPem, r.bearer, body);
  if (res.status === 401) throw new Error("lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token");
  if (res.status < 200 || res.status > 206) throw new Error(`lookup failed: status ${res.status}`);
  const parsed = JSON.parse(res.text) as { kind?: string; status?: unknown };
  const status = parsed.status;
  if (status === null || typeof status !== "object" || parsed.kind === "Status") throw new Error("lookup failed: response is a Status");
  const st = status as { authenticated?: boolean; error?: string; audiences?: string[]; user?: { username?: string; uid?: string } };
  if (st.error) throw new Error(`lookup failed: ${st.error}`);
  if (st.authenticated !== true) throw new Error("lookup failed: service account jwt not valid");
  if (r.audiences.length > 0 && !(st.audiences ?? []).some((a) => r.audiences.includes(a))) {
    throw new Error(`lookup failed: service account jwt valid for audience(s) [${(st.audiences ?? []).join(" ")}], but wanted [${r.audiences.join(" ")}]`);
  }
  const parts = (st.user?.username ?? "").split(":");
  if (parts.length !== 4) throw new Error("lookup failed: unexpected username format");
  if (parts[0] !== "system" || parts[1] !== "serviceaccount") throw new Error("lookup failed: username returned is not a service account");
  return { namespace: parts[2] ?? "", name: parts[3] ?? "", uid: st.user?.uid ?? "" };
}
