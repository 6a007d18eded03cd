/** The machine's DNS resolvers (node:dns `getServers()`), as servers the lookups can use. */
import { getServers } from "node:dns";
import { parseServer } from "./provider-options.js";
import type { DnsServer } from "./transport.js";

/** The resolvers this process would use (`/etc/resolv.conf`), IPv6 ones bracketed for parsing. */
export function systemResolvers(): DnsServer[] {
  return getServers().map((s) => parseServer(s.split(":").length > 2 && !s.startsWith("[") ? `[${s}]` : s, "system resolver"));
}
