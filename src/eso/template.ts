/**
 * ESO's template engine v2 over the one Go-template engine (src/go-template.ts), with its
 * functions: `target.template` values and keys rendered over the secret's values (strings, as
 * ESO exposes them), errors worded as ESO users read them.
 */
import { GoTemplateError, renderGoTemplate } from "../go-template.js";
import { InputError } from "../errors.js";

/** A template could not be parsed or evaluated; the message names the template key, never a value. */
export class TemplateError extends InputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: "TemplateError", ...options });
  }
}

/**
 * Renders one template text over the secret's values.
 * `where` names the template (e.g. `target.template.data.config`) for error messages.
 * @throws TemplateError on syntax errors, unsupported actions or functions, and missing keys.
 */
export function renderTemplate(text: string, values: ReadonlyMap<string, string>, where: string): string {
  const bytes = new Map<string, Buffer>();
  for (const [k, v] of values) bytes.set(k, Buffer.from(v, "utf8"));
  try {
    return renderGoTemplate(text, bytes, { functions: true }).toString("utf8");
  } catch (err) {
    if (!(err instanceof GoTemplateError)) throw err;
    const why = err.problem.kind === "missing" ? `${err.why}; add it to data or dataFrom` : err.why;
    throw new TemplateError(`${err.phase === "parse" ? "invalid template" : "template failed"}: ${where} (${why})`, { cause: err });
  }
}
