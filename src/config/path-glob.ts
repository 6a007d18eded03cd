/**
 * Path globs for `.sealbridge.yaml` rules, compiled to regular expressions: `*` matches within
 * one path segment, `**` any number of segments, `?` one character, `{a,b}` either; a pattern
 * without a `/` matches the file name in any directory (as .gitignore does).
 */

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * Compiles a glob into an anchored RegExp over forward-slash relative paths.
 * @throws SyntaxError only for a brace group that is never closed.
 */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob.replace(/^\.\//, "");
  let out = "";
  let braceDepth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        const atSegmentStart = i === 0 || pattern[i - 1] === "/";
        const slashAfter = pattern[i + 2] === "/";
        if (atSegmentStart && slashAfter) {
          out += "(?:[^/]*/)*"; // "**/" — zero or more directories
          i += 2;
        } else {
          out += ".*";
          i += 1;
        }
      } else {
        out += "[^/]*";
      }
    } else if (ch === "?") out += "[^/]";
    else if (ch === "{") {
      braceDepth++;
      out += "(?:";
    } else if (ch === "}" && braceDepth > 0) {
      braceDepth--;
      out += ")";
    } else if (ch === "," && braceDepth > 0) out += "|";
    else out += escapeRegex(ch);
  }
  if (braceDepth > 0) throw new SyntaxError(`unclosed "{" in glob ${glob}`);
  const anywhere = !pattern.includes("/");
  return new RegExp(`^${anywhere ? "(?:[^/]*/)*" : ""}${out}$`);
}
