/**
 * What a Secret holds, as one value: a hash over its type and data, so a content change (not a
 * metadata one) can be told apart without ever revealing a value.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "./types.js";

/** sha256 over type and sorted data: equal content, equal hash. Never reveals a value. */
export function contentHash(type: string, data: Record<string, string>): string {
  const h = createHash("sha256");
  h.update(type);
  for (const key of Object.keys(data).sort()) h.update(`\0${key}\0${data[key] ?? ""}`);
  return h.digest("hex").slice(0, 32);
}

/** contentHash of a Secret object (type defaults to Opaque, data to empty). */
export function secretContentHash(secret: KubeObject): string {
  const type = typeof secret["type"] === "string" ? secret["type"] : "Opaque";
  const data = secret["data"];
  return contentHash(type, data && typeof data === "object" ? (data as Record<string, string>) : {});
}

/** The value of `key` in a Secret's `data`, decoded from base64; undefined when the Secret or key is absent. */
export function secretKeyValue(secret: KubeObject | null | undefined, key: string): string | undefined {
  const b64 = (secret?.["data"] as Record<string, unknown> | undefined)?.[key];
  return typeof b64 === "string" ? Buffer.from(b64, "base64").toString("utf8") : undefined;
}
