/** The one base64 check: standard alphabet, optional `=` padding (as a Secret's `data` holds it). */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when `text` is standard base64 (no whitespace; see `compactBase64`). */
export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

/** `text` without whitespace (base64 wrapped over lines, as kubeseal and YAML may write it). */
export function compactBase64(text: string): string {
  return text.replace(/\s+/g, "");
}
