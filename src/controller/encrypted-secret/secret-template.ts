/**
 * `spec.template.data` rendering: sealed-secrets renders these values as Go text/template over
 * the decrypted values. We support the forms people write to assemble a value from others —
 * literal text with `{{ .key }}` and `{{ index . "key" }}` actions (with `{{-`/`-}}` trimming) —
 * and reject every other action with a message naming the key, never a value.
 */

/** A template value could not be rendered; `message` names the template key and the action. */
export interface TemplateFailure {
  ok: false;
  message: string;
}

export interface TemplateSuccess {
  ok: true;
  value: Buffer;
}

const ACTION = /\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}/gs;
const DOT_FIELD = /^\.([A-Za-z_][A-Za-z0-9_]*)$/;
const INDEX = /^index\s+\.\s+"((?:[^"\\]|\\.)*)"$/;

function unquote(goString: string): string {
  try {
    return JSON.parse(`"${goString}"`) as string;
  } catch {
    return goString;
  }
}

function actionKey(action: string): string | null {
  const dot = DOT_FIELD.exec(action);
  if (dot?.[1] !== undefined) return dot[1];
  const index = INDEX.exec(action);
  if (index?.[1] !== undefined) return unquote(index[1]);
  return null;
}

/**
 * Renders one template value over `values` (decrypted, by key).
 * @returns the bytes, or a failure when the template uses an unsupported action or a key that
 * does not exist (Go's `missingkey=error`-like strictness keeps typos from producing empty values).
 */
export function renderTemplateValue(templateKey: string, template: string, values: ReadonlyMap<string, Buffer>): TemplateSuccess | TemplateFailure {
  const parts: Buffer[] = [];
  let last = 0;
  let trimNextLeading = false;
  for (const match of template.matchAll(ACTION)) {
    const start = match.index;
    let literal = template.slice(last, start);
    if (trimNextLeading) literal = literal.replace(/^\s+/, "");
    if (match[1] !== undefined) literal = literal.replace(/\s+$/, "");
    parts.push(Buffer.from(literal, "utf8"));
    const action = match[2] ?? "";
    const key = actionKey(action);
    if (key === null) {
      return {
        ok: false,
        message: `template data key "${templateKey}": unsupported template action (use {{ .key }} or {{ index . "key" }})`,
      };
    }
    const value = values.get(key);
    if (value === undefined) {
      return { ok: false, message: `template data key "${templateKey}": refers to "${key}", which is not in encryptedData` };
    }
    parts.push(value);
    last = start + match[0].length;
    trimNextLeading = match[3] !== undefined;
  }
  let tail = template.slice(last);
  if (trimNextLeading) tail = tail.replace(/^\s+/, "");
  if (tail.includes("{{")) {
    return { ok: false, message: `template data key "${templateKey}": unterminated template action (close it with }})` };
  }
  parts.push(Buffer.from(tail, "utf8"));
  return { ok: true, value: Buffer.concat(parts) };
}
