/**
 * User impersonation (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation):
 * `Impersonate-User` / `Impersonate-Group` headers (kubectl `--as`, `--as-group`) switch the
 * request's user when the caller may `impersonate` those users, groups or ServiceAccounts.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { UserInfo } from "./auth.js";
import type { RequestAttributes } from "./rbac.js";
import { forbidden } from "./status.js";

function values(h: string | string[] | undefined): string[] {
  if (h === undefined) return [];
  return (Array.isArray(h) ? h : h.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/**
 * The user a request acts as: `caller`, or the impersonated user when the headers ask for one.
 * @throws ApiError 403 when `allowed` refuses an impersonation.
 */
export function impersonatedUser(headers: IncomingHttpHeaders, caller: UserInfo, allowed: (a: RequestAttributes) => boolean): UserInfo {
  const name = values(headers["impersonate-user"])[0];
  const groups = values(headers["impersonate-group"]);
  if (name === undefined) return caller;
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  const target: RequestAttributes = sa
    ? { resourceRequest: true, verb: "impersonate", apiGroup: "", resource: "serviceaccounts", namespace: sa[1], name: sa[2] }
    : { resourceRequest: true, verb: "impersonate", apiGroup: "", resource: "users", name };
  if (!allowed(target)) {
    throw forbidden(caller.username, "impersonate", { group: "", plural: target.resource }, undefined, target.namespace, name);
  }
  for (const g of groups) {
    if (!allowed({ resourceRequest: true, verb: "impersonate", apiGroup: "", resource: "groups", name: g })) {
      throw forbidden(caller.username, "impersonate", { group: "", plural: "groups" }, undefined, undefined, g);
    }
  }
  const implied = sa ? ["system:serviceaccounts", `system:serviceaccounts:${sa[1]}`] : [];
  return { username: name, groups: [...new Set([...groups, ...implied, "system:authenticated"])] };
}
