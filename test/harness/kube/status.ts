/**
 * `Status` error bodies as kube-apiserver writes them (k8s.io/apimachinery/pkg/api/errors;
 * shapes and kubectl's rendering recorded in shared/reference/kubectl-requests.md §6).
 */
import type { ResourceType } from "./resource-types.js";

/** A failure the HTTP layer answers with `code` and the `Status` `body`. */
export class ApiError extends Error {
  readonly code: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(code: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body["message"] ?? "error"));
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

/** A field error inside an Invalid (422) Status. */
export interface Cause {
  reason: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueForbidden" | "FieldValueNotSupported" | "FieldValueDuplicate" | "FieldValueTypeInvalid" | "FieldValueTooLong" | "FieldValueTooMany";
  message: string;
  field: string;
}

function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): ApiError {
  const body: Record<string, unknown> = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason };
  if (details) body["details"] = details;
  body["code"] = code;
  return new ApiError(code, body);
}

/** `secrets` for core, `clusterroles.rbac.authorization.k8s.io` otherwise (the GroupResource string). */
export function qualifiedResource(t: Pick<ResourceType, "group" | "plural">): string {
  return t.group === "" ? t.plural : `${t.plural}.${t.group}`;
}

function details(t: Pick<ResourceType, "group" | "plural">, name?: string): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (name !== undefined) d["name"] = name;
  if (t.group !== "") d["group"] = t.group;
  d["kind"] = t.plural;
  return d;
}

/** 404 `secrets "x" not found`. */
export function notFound(t: Pick<ResourceType, "group" | "plural">, name: string): ApiError {
  return failure(404, "NotFound", `${qualifiedResource(t)} "${name}" not found`, details(t, name));
}

/** 404 for a path the server does not serve. */
export function pathNotFound(): ApiError {
  return failure(404, "NotFound", "the server could not find the requested resource", {});
}

/** 409 `secrets "x" already exists`. */
export function alreadyExists(t: Pick<ResourceType, "group" | "plural">, name: string): ApiError {
  return failure(409, "AlreadyExists", `${qualifiedResource(t)} "${name}" already exists`, details(t, name));
}

/** 409 optimistic-concurrency Conflict. */
export function conflict(t: Pick<ResourceType, "group" | "plural">, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): ApiError {
  return failure(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${why}`, details(t, name));
}

/** Formats one cause the way field.Error.Error() does: `field: message`. */
export function causeText(c: Cause): string {
  return `${c.field}: ${c.message}`;
}

/** 422 Invalid: `Secret "x" is invalid: <cause>[, <cause>]` with details.kind = the Kind. */
export function invalid(t: Pick<ResourceType, "group" | "kind">, name: string, causes: Cause[]): ApiError {
  const qualifiedKind = t.group === "" ? t.kind : `${t.kind}.${t.group}`;
  const list = causes.map(causeText);
  const summary = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
  const d: Record<string, unknown> = { name };
  if (t.group !== "") d["group"] = t.group;
  d["kind"] = t.kind;
  d["causes"] = causes;
  return failure(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${summary}`, d);
}

/** Builds a FieldValueInvalid cause: `Invalid value: "v": detail`. */
export function invalidValue(field: string, value: unknown, detail: string): Cause {
  const shown = typeof value === "string" ? JSON.stringify(value) : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
  return { reason: "FieldValueInvalid", message: `Invalid value: ${shown}: ${detail}`, field };
}

/** Builds a FieldValueRequired cause. */
export function required(field: string, detail = ""): Cause {
  return { reason: "FieldValueRequired", message: detail ? `Required value: ${detail}` : "Required value", field };
}

/** Builds a FieldValueForbidden cause. */
export function forbiddenField(field: string, detail: string): Cause {
  return { reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field };
}

/** Builds a FieldValueNotSupported cause (enum violations). */
export function notSupported(field: string, value: unknown, allowed: unknown[]): Cause {
  return {
    reason: "FieldValueNotSupported",
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
    field,
  };
}

/**
 * 403 as the RBAC authorizer answers: `secrets "s1" is forbidden: User "u" cannot get resource
 * "secrets" in API group "" in the namespace "demo"`.
 */
export function forbidden(
  user: string,
  verb: string,
  t: Pick<ResourceType, "group" | "plural">,
  subresource: string | undefined,
  namespace: string | undefined,
  name: string | undefined,
): ApiError {
  const subject = name ? `${qualifiedResource(t)} "${name}"` : qualifiedResource(t);
  const resource = subresource ? `${t.plural}/${subresource}` : t.plural;
  const scope = namespace ? ` in the namespace "${namespace}"` : " at the cluster scope";
  const msg = `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${t.group}"${scope}`;
  return failure(403, "Forbidden", msg, details(t, name));
}

/** 403 for a non-resource URL: `forbidden: User "u" cannot get path "/x"`. */
export function forbiddenPath(user: string, verb: string, path: string): ApiError {
  return failure(403, "Forbidden", `forbidden: User "${user}" cannot ${verb} path "${path}"`, {});
}

/** 403 with a free message (e.g. creating in a terminating namespace). */
export function forbiddenMessage(t: Pick<ResourceType, "group" | "plural">, name: string, message: string): ApiError {
  return failure(403, "Forbidden", `${qualifiedResource(t)} "${name}" is forbidden: ${message}`, details(t, name));
}

/** 401 Unauthorized. */
export function unauthorized(): ApiError {
  return failure(401, "Unauthorized", "Unauthorized");
}

/** 410 Gone for a watch/list from a compacted resourceVersion (reason Expired). */
export function gone(requested: string | number, oldest: number): ApiError {
  return failure(410, "Expired", `too old resource version: ${requested} (${oldest})`);
}

/** 400 BadRequest with a free message. */
export function badRequest(message: string): ApiError {
  return failure(400, "BadRequest", message);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(verb: string, t?: Pick<ResourceType, "group" | "plural">): ApiError {
  const what = t ? `${verb} on ${qualifiedResource(t)}` : verb;
  return failure(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${what})`, t ? details(t) : {});
}

/**
 * 415 for an unsupported patch type. The message is only the negotiation error, as the
 * apiserver sends it: kubectl itself prefixes "<type> is not supported by <gvk>: " (§5).
 */
export function unsupportedMediaType(contentType: string, gvk: string, accepted: string[]): ApiError {
  void contentType;
  void gvk;
  return failure(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return failure(500, "InternalError", message, { causes: [{ message }] });
}

/**
 * 500 for an error that is no API Status (responsewriters ErrorToAPIStatus: reason Unknown, which
 * is empty and omitted; kubectl prints `Error from server: <message>`).
 */
export function unknownError(message: string): ApiError {
  return new ApiError(500, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, code: 500 });
}

/** 429 TooManyRequests as the priority-and-fairness filter answers it. */
export function tooManyRequests(): ApiError {
  const e = failure(429, "TooManyRequests", "Too many requests, please try again later.", { retryAfterSeconds: 1 });
  e.headers["Retry-After"] = "1";
  return e;
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message: string): ApiError {
  return failure(503, "ServiceUnavailable", message);
}

/** A `Status` of Success, as DELETE answers for built-in kinds. */
export function success(t: Pick<ResourceType, "group" | "plural">, name: string, uid: string | undefined): Record<string, unknown> {
  const d = details(t, name);
  if (uid) d["uid"] = uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: d };
}
