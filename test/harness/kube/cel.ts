/**
 * The subset of CEL (https://kubernetes.io/docs/reference/using-api/cel/) that the CRDs of this
 * project and External Secrets Operator use in `x-kubernetes-validations`, evaluated the way the
 * apiextensions-apiserver's CEL validator does after schema validation: `has(self.f)`, `!`, `&&`,
 * `||`, `==`, `!=`, `<`, `<=`, `>`, `>=`, parentheses, integer/string/bool literals, list literals,
 * `.filter(x, <expr>)`, `.size()`, `'key' in self`, `self.all(k, k.matches('<re>'))`. A rule
 * outside the subset is skipped (never a false refusal); docs/testenv-kube.md says so.
 */
import type { Cause } from "./status.js";
import type { Schema } from "./schema.js";

type Value = unknown;
type Env = Record<string, Value>;
type Expr = (env: Env) => Value;

class Unsupported extends Error {}

const TOKEN = /\s*(?:(\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(&&|\|\||==|!=|<=|>=|[()[\],.!<>])|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new Unsupported(src);
    out.push(m[1] !== undefined ? `#${m[1]}` : m[2] !== undefined ? `'${m[2]}` : m[3] !== undefined ? `'${m[3]}` : (m[4] ?? m[5] ?? ""));
    i = TOKEN.lastIndex;
  }
  return out;
}

const isObj = (v: Value): v is Record<string, Value> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Parses one rule into an evaluator. @throws Unsupported outside the subset. */
function parse(src: string): Expr {
  const t = tokenize(src);
  let p = 0;
  const peek = () => t[p];
  const take = (want?: string): string => {
    const x = t[p++];
    if (x === undefined || (want !== undefined && x !== want)) throw new Unsupported(src);
    return x;
  };
  const or = (): Expr => {
    let l = and();
    while (peek() === "||") {
      take();
      const a = l, b = and();
      l = (e) => a(e) === true || b(e) === true;
    }
    return l;
  };
  const and = (): Expr => {
    let l = cmp();
    while (peek() === "&&") {
      take();
      const a = l, b = cmp();
      l = (e) => a(e) === true && b(e) === true;
    }
    return l;
  };
  const cmp = (): Expr => {
    const l = unary();
    const op = peek();
    if (op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=" || op === "in") {
      take();
      const r = unary();
      return (e) => {
        const a = l(e), b = r(e);
        switch (op) {
          case "==": return JSON.stringify(a) === JSON.stringify(b);
          case "!=": return JSON.stringify(a) !== JSON.stringify(b);
          case "in": return isObj(b) ? String(a) in b : Array.isArray(b) ? b.some((x) => JSON.stringify(x) === JSON.stringify(a)) : false;
          default: {
            const x = Number(a), y = Number(b);
            return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
          }
        }
      };
    }
    return l;
  };
  const unary = (): Expr => {
    if (peek() === "!") {
      take();
      const x = unary();
      return (e) => x(e) !== true;
    }
    return postfix(primary());
  };
  const primary = (): Expr => {
    const x = take();
    if (x === "(") {
      const inner = or();
      take(")");
      return inner;
    }
    if (x === "[") {
      const items: Expr[] = [];
      while (peek() !== "]") {
        items.push(or());
        if (peek() === ",") take();
      }
      take("]");
      return (e) => items.map((f) => f(e));
    }
    if (x.startsWith("#")) {
      const n = Number(x.slice(1));
      return () => n;
    }
    if (x.startsWith("'")) {
      const s = x.slice(1).replace(/\\(.)/g, "$1");
      return () => s;
    }
    if (x === "true" || x === "false") return () => x === "true";
    if (x === "has") {
      take("(");
      const target = take();
      const path: string[] = [];
      while (peek() === ".") {
        take();
        path.push(take());
      }
      take(")");
      return (e) => {
        let v = e[target];
        for (const [i, k] of path.entries()) {
          if (!isObj(v) || !(k in v)) return false;
          if (i < path.length - 1) v = v[k];
        }
        return path.length > 0;
      };
    }
    if (/^[A-Za-z_]/.test(x)) return (e) => e[x];
    throw new Unsupported(src);
  };
  const postfix = (base: Expr): Expr => {
    let cur = base;
    while (peek() === ".") {
      take();
      const name = take();
      if (name === "size") {
        take("(");
        take(")");
        const c = cur;
        cur = (e) => {
          const v = c(e);
          return Array.isArray(v) ? v.length : isObj(v) ? Object.keys(v).length : typeof v === "string" ? [...v].length : 0;
        };
      } else if (name === "filter" || name === "all" || name === "exists") {
        take("(");
        const variable = take();
        take(",");
        const body = or();
        take(")");
        const c = cur;
        cur = (e) => {
          const v = c(e);
          const elems = Array.isArray(v) ? v : isObj(v) ? Object.keys(v) : [];
          const test = (x: Value) => body({ ...e, [variable]: x }) === true;
          return name === "filter" ? elems.filter(test) : name === "all" ? elems.every(test) : elems.some(test);
        };
      } else if (name === "matches") {
        take("(");
        const re = or();
        take(")");
        const c = cur;
        cur = (e) => new RegExp(String(re(e))).test(String(c(e)));
      } else {
        const c = cur;
        cur = (e) => {
          const v = c(e);
          return isObj(v) ? v[name] : undefined;
        };
      }
    }
    return cur;
  };
  const expr = or();
  if (p !== t.length) throw new Unsupported(src);
  return expr;
}

const compiled = new Map<string, Expr | null>();
function compile(rule: string): Expr | null {
  if (!compiled.has(rule)) {
    try {
      compiled.set(rule, parse(rule));
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      compiled.set(rule, null);
    }
  }
  return compiled.get(rule) ?? null;
}

interface Rule {
  rule: string;
  message?: string;
}

/** True when a schema has any x-kubernetes-validations rule (the CRD then gets a CEL validator). */
export function hasCelRules(s: Schema | undefined): boolean {
  if (!s) return false;
  const x = s as Schema & { "x-kubernetes-validations"?: Rule[] };
  if ((x["x-kubernetes-validations"] ?? []).length > 0) return true;
  return Object.values(s.properties ?? {}).some(hasCelRules) || hasCelRules(s.items) || (typeof s.additionalProperties === "object" && hasCelRules(s.additionalProperties));
}

/** The x-kubernetes-validations failures of a pruned, defaulted object, as 422 causes. */
export function celCauses(value: Value, s: Schema, path = ""): Cause[] {
  const out: Cause[] = [];
  if (value === undefined || value === null) return out;
  const rules = (s as Schema & { "x-kubernetes-validations"?: Rule[] })["x-kubernetes-validations"] ?? [];
  for (const r of rules) {
    const f = compile(r.rule);
    if (f && f({ self: value }) !== true) {
      out.push({ reason: "FieldValueInvalid", field: path === "" ? "<nil>" : path, message: `Invalid value: ${r.message ?? `failed rule: ${r.rule}`}` });
    }
  }
  const prefix = path === "" ? "" : `${path}.`;
  if (isObj(value)) {
    for (const [k, sub] of Object.entries(s.properties ?? {})) out.push(...celCauses(value[k], sub, `${prefix}${k}`));
    const ap = s.additionalProperties;
    if (typeof ap === "object") for (const [k, v] of Object.entries(value)) if (!(k in (s.properties ?? {}))) out.push(...celCauses(v, ap, `${path}[${k}]`));
  }
  if (Array.isArray(value) && s.items) {
    const items = s.items;
    value.forEach((v, i) => out.push(...celCauses(v, items, `${path}[${i}]`)));
  }
  return out;
}
