/**
 * A PEM parser (RFC 7468, lax as OpenSSL is about whitespace): splits text into labelled blocks
 * of DER bytes. Text outside blocks is ignored, as OpenSSL ignores it; a broken block is
 * reported, never thrown.
 */

/** One `-----BEGIN LABEL-----` … `-----END LABEL-----` block. */
export interface PemBlock {
  label: string;
  der: Buffer;
}

/** The blocks found and a message for every block that could not be read. */
export interface PemParse {
  blocks: PemBlock[];
  problems: string[];
}

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----\s*$/;
const END = /^-----END ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Splits PEM text into blocks. Never throws. */
export function parsePem(text: string): PemParse {
  const blocks: PemBlock[] = [];
  const problems: string[] = [];
  let label: string | undefined;
  let body: string[] = [];
  let startLine = 0;
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (label === undefined) {
      const m = BEGIN.exec(line);
      if (m) {
        label = m[1] ?? "";
        body = [];
        startLine = i + 1;
      }
      continue;
    }
    const end = END.exec(line);
    if (end) {
      if ((end[1] ?? "") !== label) problems.push(`PEM block "${label}" at line ${startLine} ends with "END ${end[1] ?? ""}"`);
      else {
        const joined = body.join("");
        if (!BASE64.test(joined) || joined.length % 4 !== 0) problems.push(`PEM block "${label}" at line ${startLine} is not valid base64`);
        else blocks.push({ label, der: Buffer.from(joined, "base64") });
      }
      label = undefined;
      continue;
    }
    if (/^[A-Za-z-]+:/.test(line)) continue; // RFC 1421 headers (Proc-Type, DEK-Info) are skipped
    body.push(line.replace(/\s+/g, ""));
  }
  if (label !== undefined) problems.push(`PEM block "${label}" at line ${startLine} has no END line`);
  return { blocks, problems };
}

/** Encodes DER bytes as a PEM block with 64-character lines. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}${lines.length ? "\n" : ""}-----END ${label}-----\n`;
}
