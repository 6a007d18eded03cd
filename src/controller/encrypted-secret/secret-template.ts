/**
 * `spec.template.data` rendering: sealed-secrets renders these values as Go text/template over
 * the decrypted values. We support the forms people write to assemble a value from others —
 * literal text with `{{ .key }}` and `{{ index . "key" }}` actions (with `{{-`/`-}}` trimming) —
 * through the one Go-template engine (src/go-template.ts, without functions) and reject every
 * other action with a message naming the key, never a value.
 */
import { GoTemplateError, renderGoTemplate } from "../../go-template.js";

/** A template value could not be rendered; `message` names the template key and the action. */
export interface TemplateFailure {
  ok: false;
  message: string;
}

export interface TemplateSuccess {
  ok: true;
  value: Buffer;
}

/**
 * Renders one template value over `values` (decrypted, by key).
 * @returns the bytes, or a failure when the template uses an unsupported action or a key that
 * does not exist (Go's `missingkey=error`-like strictness keeps typos from producing empty values).
 */
export function renderTemplateValue(templateKey: string, template: string, values: ReadonlyMap<string, Buffer>): TemplateSuccess | TemplateFailure {
  try {
    return { ok: true, value: renderGoTemplate(template, values, { functions: false }) };
  } catch (err) {
    if (!(err instanceof GoTemplateError)) throw err;
    const where = `template data key "${templateKey}"`;
    const problem = err.problem;
    if (problem.kind === "missing") return { ok: false, message: `${where}: refers to "${problem.key}", which is not in encryptedData` };
    if (problem.kind === "unclosed") return { ok: false, message: `${where}: unterminated template action (close it with }})` };
    return { ok: false, message: `${where}: unsupported template action (use {{ .key }} or {{ index . "key" }})` };
  }
}
