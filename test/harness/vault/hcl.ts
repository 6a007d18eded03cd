/**
 * A small HCL reader for Vault policies: blocks (`path "x" { … }`), attributes (`k = v`), strings,
 * numbers, booleans, lists, nested objects and `#`, `//` and `/* … *\/` comments. It is enough for
 * every policy in Vault's documentation; heredocs and expressions are not supported.
 */

/** An HCL value. */
export type HclValue = string | number | boolean | HclValue[] | HclBody;

/** A body: attributes plus labelled blocks, in order. */
export interface HclBody {
  attributes: Map<string, HclValue>;
  blocks: { type: string; labels: string[]; body: HclBody }[];
}

type Token = { kind: "str" | "ident" | "num" | "punct"; text: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? "";
    if (/\s/.test(c)) {
      i++;
    } else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new Error("unterminated comment");
      i = end + 2;
    } else if (c === '"') {
      let s = "";
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\") {
          const n = src[i + 1] ?? "";
          s += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else {
          s += src[i];
          i++;
        }
      }
      if (i >= src.length) throw new Error("unterminated string");
      i++;
      out.push({ kind: "str", text: s });
    } else if ("{}[]=,:".includes(c)) {
      out.push({ kind: "punct", text: c });
      i++;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new Error(`unexpected "${c}"`);
      out.push({ kind: "num", text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i)) ?? [""];
      out.push({ kind: "ident", text: m[0] });
      i += m[0].length;
    } else {
      throw new Error(`unexpected "${c}"`);
    }
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new Error("unexpected end of input");
    return t;
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text || t.kind !== "punct") throw new Error(`expected "${text}", got "${t.text}"`);
  }

  body(closing: boolean): HclBody {
    const body: HclBody = { attributes: new Map(), blocks: [] };
    for (;;) {
      const t = this.peek();
      if (t === undefined) {
        if (closing) throw new Error("missing closing brace");
        return body;
      }
      if (t.kind === "punct" && t.text === "}" && closing) {
        this.pos++;
        return body;
      }
      const key = this.next();
      if (key.kind !== "ident" && key.kind !== "str") throw new Error(`unexpected "${key.text}"`);
      const after = this.peek();
      if (after?.kind === "punct" && (after.text === "=" || after.text === ":")) {
        this.pos++;
        body.attributes.set(key.text, this.value());
        if (this.peek()?.text === ",") this.pos++;
        continue;
      }
      const labels: string[] = [];
      while (this.peek()?.kind === "str") labels.push(this.next().text);
      this.expect("{");
      body.blocks.push({ type: key.text, labels, body: this.body(true) });
    }
  }

  private value(): HclValue {
    const t = this.next();
    if (t.kind === "str") return t.text;
    if (t.kind === "num") return Number(t.text);
    if (t.kind === "ident" && (t.text === "true" || t.text === "false")) return t.text === "true";
    if (t.kind === "punct" && t.text === "[") {
      const items: HclValue[] = [];
      while (this.peek()?.text !== "]") {
        items.push(this.value());
        if (this.peek()?.text === ",") this.pos++;
      }
      this.pos++;
      return items;
    }
    if (t.kind === "punct" && t.text === "{") return this.body(true);
    throw new Error(`unexpected "${t.text}"`);
  }
}

/**
 * Parses HCL text.
 * @throws Error with a short reason on a syntax error.
 */
export function parseHcl(text: string): HclBody {
  return new Parser(tokenize(text)).body(false);
}
