/**
 * IPv4 CIDR matching for AppRole's `secret_id_bound_cidrs` / `cidr_list` (IPv4-mapped IPv6
 * addresses such as `::ffff:127.0.0.1` count as their IPv4 form; other IPv6 never matches).
 */

function ipv4(addr: string): number | null {
  const plain = addr.startsWith("::ffff:") ? addr.slice(7) : addr;
  const parts = plain.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Whether `addr` is inside any of `cidrs` (`10.0.0.0/8`, or a bare address as a /32). */
export function inCidrs(addr: string, cidrs: readonly string[]): boolean {
  const a = ipv4(addr);
  if (a === null) return false;
  return cidrs.some((c) => {
    const [base, bits = "32"] = c.trim().split("/");
    const b = ipv4(base ?? "");
    const len = Number(bits);
    if (b === null || !Number.isInteger(len) || len < 0 || len > 32) return false;
    const size = 2 ** (32 - len);
    return Math.floor(a / size) === Math.floor(b / size);
  });
}
