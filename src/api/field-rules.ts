/**
 * Which fields of a custom resource sealbridge supports, as a tree of rules, and the walker that
 * reports every field outside it. ESO manifests are applied unchanged, so a field we do not act on
 * must be reported (status, `check --eso`) rather than silently ignored.
 */

/** One problem found in a manifest; `path` is a dotted field path such as `spec.data[0].remoteRef.decodingStrategy`. */
export interface Finding {
  path: string;
  message: string;
}

/** A field accepted only with some values (e.g. the default of an option we do not implement). */
export interface ValueRule {
  accept: (value: unknown) => boolean;
  why: string;
}

/** Rules for each element of an array field. */
export interface EachRule {
  each: FieldRules;
}

/**
 * `true`: supported as is; `false`: not supported; a ValueRule: supported for some values;
 * an EachRule: an array whose elements follow the rules; a nested FieldRules: an object.
 */
export type Rule = boolean | ValueRule | EachRule | FieldRules;

export interface FieldRules {
  [field: string]: Rule;
}

function isValueRule(rule: Rule): rule is ValueRule {
  return typeof rule === "object" && typeof (rule as ValueRule).accept === "function";
}

function isEachRule(rule: Rule): rule is EachRule {
  return typeof rule === "object" && typeof (rule as EachRule).each === "object" && !isValueRule(rule);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Accepts a field only when it is absent or equals one of `values` (the ESO default we behave as). */
export function onlyValues(values: readonly unknown[], why: string): ValueRule {
  return { accept: (v) => v === undefined || v === null || values.includes(v), why };
}

/**
 * Walks `value` against `rules` and returns a finding for every field that is unknown or not
 * supported, with its path under `prefix`. Values of the wrong type are left to the schema.
 */
export function unsupportedFields(value: unknown, rules: FieldRules, prefix: string): Finding[] {
  const out: Finding[] = [];
  if (!isRecord(value)) return out;
  for (const [field, child] of Object.entries(value)) {
    const path = `${prefix}.${field}`;
    const rule = Object.hasOwn(rules, field) ? rules[field] : undefined;
    if (rule === undefined || rule === false) {
      out.push({ path, message: `unsupported field ${path} (sealbridge does not implement it; remove it, or see docs/kinds/externalsecret.md, section "Supported fields")` });
    } else if (rule === true) {
      continue;
    } else if (isValueRule(rule)) {
      if (!rule.accept(child)) {
        out.push({ path, message: `unsupported value ${JSON.stringify(child)} for ${path} (${rule.why})` });
      }
    } else if (isEachRule(rule)) {
      if (Array.isArray(child)) {
        child.forEach((item, i) => out.push(...unsupportedFields(item, rule.each, `${path}[${i}]`)));
      }
    } else {
      out.push(...unsupportedFields(child, rule, path));
    }
  }
  return out;
}
