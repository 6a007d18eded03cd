/**
 * The one Go text/template engine, for the subset people write: `{{ .name }}`,
 * `{{ index . "key-with-dash" }}`, `{{-`/`-}}` trimming and, with `functions`, pipelines,
 * parentheses, literals, comments and the Sprig functions in `TEMPLATE_FUNCTIONS` (ESO's template
 * engine v2, `target.template`). Without `functions` only the two lookups are allowed (a
 * SealedSecret's `spec.template.data`). Values are bytes and a plain lookup copies them as they
 * are. Anything else (if/range, variables, other functions) is a GoTemplateError, never a silent
 * pass-through; its message never holds a value.
 */
import { compactBase64, isBase64 } from "./base64.js";
import { InputError } from "./errors.js";

/** What went wrong, for callers that word it their own way. */
export type TemplateProblem = { kind: "unclosed" } | { kind: "missing"; key: string } | { kind: "unsupported" };

/** A template could not be parsed (`parse`) or evaluated (`eval`); `why` never holds a value. */
export class GoTemplateError extends InputError {
  constructor(
    readonly phase: "parse" | "eval",
    readonly problem: TemplateProblem,
    readonly why: string,
  ) {
    super(`${phase === "parse" ? "invalid template" : "template failed"}: ${why}`, { code: "TemplateError" });
  }
}

type Fn = (...args: string[]) => string;

function b64dec(s: string): string {
  if (!isBase64(compactBase64(s)) || compactBase64(s).length % 4 === 1) {
    throw new Error("b64dec: input is not base64 (check the value stored in Vault)");
  }
  return Buffer.from(s, "base64").toString("utf8");
}

function indent(n: string, s: string): string {
  const pad = " ".repeat(Number.parseInt(n, 10) || 0);
  return pad + s.replace(/\n/g, `\n${pad}`);
}

/** Functions available in templates, with Sprig's argument order (the piped value comes last). */
const TEMPLATE_FUNCTIONS: Record<string, { arity: number; fn: Fn }> = {
  toString: { arity: 1, fn: (s: string) => s },
  upper: { arity: 1, fn: (s) => s.toUpperCase() },
  lower: { arity: 1, fn: (s) => s.toLowerCase() },
  trim: { arity: 1, fn: (s) => s.trim() },
  trimPrefix: { arity: 2, fn: (p, s) => (s.startsWith(p) ? s.slice(p.length) : s) },
  trimSuffix: { arity: 2, fn: (p, s) => (p !== "" && s.endsWith(p) ? s.slice(0, -p.length) : s) },
  quote: { arity: 1, fn: (s) => JSON.stringify(s) },
  squote: { arity: 1, fn: (s) => `'${s}'` },
  replace: { arity: 3, fn: (o, n, s) => s.split(o).join(n) },
  default: { arity: 2, fn: (d, s) => (s === "" ? d : s) },
  b64enc: { arity: 1, fn: (s) => Buffer.from(s, "utf8").toString("base64") },
  b64dec: { arity: 1, fn: b64dec },
  indent: { arity: 2, fn: indent },
  nindent: { arity: 2, fn: (n, s) => `\n${indent(n, s)}` },
};

/** Names of the supported template functions (for docs and `check --eso`). */
export const templateFunctionNames: readonly string[] = [...Object.keys(TEMPLATE_FUNCTIONS), "index"].sort();

type Token = { kind: "field"; name: string } | { kind: "dot" } | { kind: "string"; value: string } | { kind: "ident"; name: string } | { kind: "number"; value: string } | { kind: "pipe" } | { kind: "lparen" } | { kind: "rparen" };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (why: string): GoTemplateError => new GoTemplateError("parse", { kind: "unsupported" }, why);
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "|") {
      out.push({ kind: "pipe" });
      i++;
    } else if (c === "(") {
      out.push({ kind: "lparen" });
      i++;
    } else if (c === ")") {
      out.push({ kind: "rparen" });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      if (j >= src.length) throw fail("unterminated string");
      out.push({ kind: "string", value: JSON.parse(src.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === "`") {
      const j = src.indexOf("`", i + 1);
      if (j < 0) throw fail("unterminated raw string");
      out.push({ kind: "string", value: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === ".") {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*)?/.exec(src.slice(i)) as RegExpExecArray;
      if (m[1] !== undefined) out.push({ kind: "field", name: m[1] });
      else out.push({ kind: "dot" });
      i += m[0].length;
      if (src[i] === ".") throw fail("nested fields such as .a.b are not supported; use index");
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+/.exec(src.slice(i));
      if (!m) throw fail(`unexpected "${c}"`);
      out.push({ kind: "number", value: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ kind: "ident", name: m[0] });
      i += m[0].length;
    } else {
      throw fail(c === "$" ? "template variables are not supported" : `unexpected "${c}"`);
    }
  }
  return out;
}

/** A value as the evaluator carries it: bytes from a lookup, strings from literals and functions. */
type Value = string | Buffer;

const text = (v: Value): string => (typeof v === "string" ? v : v.toString("utf8"));

class Evaluator {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly values: ReadonlyMap<string, Buffer>,
  ) {}

  run(): Value {
    const result = this.pipeline();
    if (this.pos !== this.tokens.length) throw this.fail("unexpected tokens after the pipeline");
    return result;
  }

  private fail(why: string, problem: TemplateProblem = { kind: "unsupported" }): GoTemplateError {
    return new GoTemplateError("eval", problem, why);
  }

  private pipeline(): Value {
    let value = this.command(undefined);
    while (this.tokens[this.pos]?.kind === "pipe") {
      this.pos++;
      value = this.command(value);
    }
    return value;
  }

  private lookup(name: string): Buffer {
    const v = this.values.get(name);
    if (v === undefined) throw this.fail(`map has no entry for key "${name}"`, { kind: "missing", key: name });
    return v;
  }

  private operand(): Value {
    const t = this.tokens[this.pos];
    if (!t) throw this.fail("missing value");
    this.pos++;
    switch (t.kind) {
      case "field":
        return this.lookup(t.name);
      case "string":
      case "number":
        return t.value;
      case "lparen": {
        const v = this.pipeline();
        if (this.tokens[this.pos]?.kind !== "rparen") throw this.fail("missing )");
        this.pos++;
        return v;
      }
      case "dot":
        throw this.fail('"." alone is the whole map; use index . "key" or .key');
      default:
        throw this.fail(`unexpected ${t.kind}`);
    }
  }

  private isOperandStart(): boolean {
    const t = this.tokens[this.pos];
    return t !== undefined && t.kind !== "pipe" && t.kind !== "rparen";
  }

  private command(piped: Value | undefined): Value {
    const t = this.tokens[this.pos];
    if (t?.kind === "ident") {
      this.pos++;
      if (t.name === "index") {
        if (this.tokens[this.pos]?.kind !== "dot") throw this.fail('index supports only index . "key"');
        this.pos++;
        const key = this.operand();
        return this.lookup(text(key));
      }
      const spec = Object.hasOwn(TEMPLATE_FUNCTIONS, t.name) ? TEMPLATE_FUNCTIONS[t.name] : undefined;
      if (!spec) {
        const control = ["if", "else", "range", "with", "end", "define", "template", "block"].includes(t.name);
        throw this.fail(
          control ? `action "${t.name}" is not supported` : `function "${t.name}" is not supported (supported: ${templateFunctionNames.join(", ")})`,
        );
      }
      const args: string[] = [];
      while (this.isOperandStart()) args.push(text(this.operand()));
      if (piped !== undefined) args.push(text(piped));
      if (args.length !== spec.arity) throw this.fail(`${t.name} takes ${spec.arity} argument(s), got ${args.length}`);
      try {
        return spec.fn(...args);
      } catch (err) {
        throw this.fail(err instanceof Error ? err.message : String(err));
      }
    }
    if (piped !== undefined) throw this.fail("only a function can follow |");
    const v = this.operand();
    if (this.isOperandStart()) throw this.fail("a value cannot take arguments");
    return v;
  }
}

/** Only `{{ .key }}` and `{{ index . "key" }}`. */
function isLookup(tokens: readonly Token[]): boolean {
  const [a, b, c] = tokens;
  if (tokens.length === 1) return a?.kind === "field";
  return tokens.length === 3 && a?.kind === "ident" && a.name === "index" && b?.kind === "dot" && c?.kind === "string";
}

/** What a template may use. */
export interface GoTemplateOptions {
  /** Pipelines, literals, comments and the Sprig subset (ESO); false: the two lookups only. */
  functions: boolean;
}

/**
 * Renders one template over `values` (bytes by key).
 * @throws GoTemplateError on syntax errors, unsupported actions or functions, and missing keys.
 */
export function renderGoTemplate(source: string, values: ReadonlyMap<string, Buffer>, options: GoTemplateOptions): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{{", i);
    if (open < 0) {
      parts.push(Buffer.from(source.slice(i), "utf8"));
      break;
    }
    let literal = source.slice(i, open);
    let start = open + 2;
    if (source.startsWith("- ", start) || source.startsWith("-\n", start) || source.startsWith("-\t", start)) {
      literal = literal.replace(/\s+$/, "");
      start += 1;
    }
    parts.push(Buffer.from(literal, "utf8"));
    const close = source.indexOf("}}", start);
    if (close < 0) throw new GoTemplateError("parse", { kind: "unclosed" }, "unclosed {{");
    let body = source.slice(start, close);
    let trimAfter = false;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimAfter = true;
    }
    i = close + 2;
    if (trimAfter) {
      while (i < source.length && /\s/.test(source[i] as string)) i++;
    }
    if (options.functions && /^\s*\/\*[\s\S]*\*\/\s*$/.test(body)) continue; // a comment
    let tokens: Token[];
    try {
      tokens = tokenize(body);
    } catch (err) {
      if (!options.functions && err instanceof GoTemplateError) throw new GoTemplateError("parse", { kind: "unsupported" }, "unsupported template action");
      throw err;
    }
    if (!options.functions && !isLookup(tokens)) throw new GoTemplateError("parse", { kind: "unsupported" }, "unsupported template action");
    const value = new Evaluator(tokens, values).run();
    parts.push(typeof value === "string" ? Buffer.from(value, "utf8") : value);
  }
  return Buffer.concat(parts);
}
