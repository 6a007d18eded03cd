/**
 * The error Go's `json.Unmarshal(data, &map[string]interface{}{})` returns, as kube-apiserver puts
 * it in a Secret validation message (encoding/json scanner.go: the syntax check runs over the whole
 * input first, then decoding reports a type mismatch). Undefined when Go would accept the input.
 */

/** quoteChar in encoding/json: `'x'`, `'\''`, `'"'`, or strconv.Quote's escape in single quotes. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const s = JSON.stringify(String.fromCodePoint(c));
  const esc: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r" };
  if (esc[c]) return `'${esc[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, "0")}'`;
  return `'${s.slice(1, -1)}'`;
}

class Syntax extends Error {}

function fail(c: number, ctx: string): never {
  throw new Syntax(`invalid character ${quoteChar(c)} ${ctx}`);
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** A recursive-descent scan that fails with Go's scanner messages. Returns the top-level kind. */
function scan(b: Uint8Array): string {
  let i = 0;
  const eof = () => i >= b.length;
  const peek = () => b[i] ?? -1;
  const end = (): never => {
    throw new Syntax("unexpected end of JSON input");
  };
  const ws = () => {
    while (!eof() && isSpace(peek())) i++;
  };
  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (eof()) end();
      if (peek() !== word.charCodeAt(k)) fail(peek(), `in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`);
    }
    i++;
  };
  const string = () => {
    i++;
    for (;;) {
      if (eof()) end();
      const c = peek();
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail(c, "in string literal");
      if (c === 0x5c) {
        i++;
        if (eof()) end();
        const e = peek();
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (eof()) end();
            if (!isHex(peek())) fail(peek(), "in \\u hexadecimal character escape");
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) fail(e, "in string escape code");
      }
      i++;
    }
  };
  const number = () => {
    if (peek() === 0x2d) {
      i++;
      if (eof()) end();
      if (!isDigit(peek())) fail(peek(), "in numeric literal");
    }
    if (peek() === 0x30) i++;
    else while (!eof() && isDigit(peek())) i++;
    if (!eof() && peek() === 0x2e) {
      i++;
      if (eof()) end();
      if (!isDigit(peek())) fail(peek(), "after decimal point in numeric literal");
      while (!eof() && isDigit(peek())) i++;
    }
    if (!eof() && (peek() === 0x65 || peek() === 0x45)) {
      i++;
      if (!eof() && (peek() === 0x2b || peek() === 0x2d)) i++;
      if (eof()) end();
      if (!isDigit(peek())) fail(peek(), "in exponent of numeric literal");
      while (!eof() && isDigit(peek())) i++;
    }
  };
  const value = (): string => {
    ws();
    if (eof()) end();
    const c = peek();
    if (c === 0x7b) {
      i++;
      ws();
      if (eof()) end();
      if (peek() === 0x7d) {
        i++;
        return "object";
      }
      for (;;) {
        ws();
        if (eof()) end();
        if (peek() !== 0x22) fail(peek(), "looking for beginning of object key string");
        string();
        ws();
        if (eof()) end();
        if (peek() !== 0x3a) fail(peek(), "after object key");
        i++;
        value();
        ws();
        if (eof()) end();
        if (peek() === 0x2c) {
          i++;
          continue;
        }
        if (peek() === 0x7d) {
          i++;
          return "object";
        }
        fail(peek(), "after object key:value pair");
      }
    }
    if (c === 0x5b) {
      i++;
      ws();
      if (eof()) end();
      if (peek() === 0x5d) {
        i++;
        return "array";
      }
      for (;;) {
        value();
        ws();
        if (eof()) end();
        if (peek() === 0x2c) {
          i++;
          continue;
        }
        if (peek() === 0x5d) {
          i++;
          return "array";
        }
        fail(peek(), "after array element");
      }
    }
    if (c === 0x22) {
      string();
      return "string";
    }
    if (c === 0x2d || isDigit(c)) {
      number();
      return "number";
    }
    if (c === 0x74) return (literal("true"), "bool");
    if (c === 0x66) return (literal("false"), "bool");
    if (c === 0x6e) return (literal("null"), "null");
    return fail(c, "looking for beginning of value");
  };
  const kind = value();
  ws();
  if (!eof()) fail(peek(), "after top-level value");
  return kind;
}

/** Go's error text for unmarshalling `data` into a map[string]interface{}, or undefined. */
export function goJsonMapError(data: Uint8Array): string | undefined {
  try {
    const kind = scan(data);
    if (kind === "object" || kind === "null") return undefined;
    return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
  } catch (e) {
    if (e instanceof Syntax) return e.message;
    throw e;
  }
}
