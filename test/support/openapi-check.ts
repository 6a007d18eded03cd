/**
 * A small Swagger 2.0 / OpenAPI schema checker for test servers: $ref, allOf, type, properties,
 * required, additionalProperties, enum, and the formats date-time and uri. Enough to hold the
 * bodies sealbridge sends against a published spec; returns the problems found.
 */
export interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  enum?: unknown[];
  format?: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks `value` against `schema`, resolving `#/definitions/…` in `definitions`. */
export function schemaProblems(value: unknown, schema: SchemaNode, definitions: Record<string, SchemaNode>, path = "body"): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace("#/definitions/", "");
    const target = definitions[name];
    if (!target) return [`${path}: unknown $ref ${schema.$ref}`];
    return schemaProblems(value, target, definitions, path);
  }
  const out: string[] = [];
  for (const part of schema.allOf ?? []) out.push(...schemaProblems(value, part, definitions, path));
  if (schema.enum && !schema.enum.includes(value)) out.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [...out, `${path}: not an object`];
      const obj = value as Record<string, unknown>;
      for (const r of schema.required ?? []) if (!(r in obj)) out.push(`${path}.${r}: required`);
      for (const [k, v] of Object.entries(obj)) {
        const prop = schema.properties?.[k];
        if (prop) out.push(...schemaProblems(v, prop, definitions, `${path}.${k}`));
        else if (typeof schema.additionalProperties === "object") out.push(...schemaProblems(v, schema.additionalProperties, definitions, `${path}.${k}`));
      }
      break;
    }
    case "array":
      if (!Array.isArray(value)) return [...out, `${path}: not an array`];
      if (schema.items) value.forEach((v, i) => out.push(...schemaProblems(v, schema.items as SchemaNode, definitions, `${path}[${i}]`)));
      break;
    case "string":
      if (typeof value !== "string") return [...out, `${path}: not a string`];
      if (schema.format === "date-time" && !RFC3339.test(value)) out.push(`${path}: not an RFC 3339 date-time`);
      if (schema.format === "uri") {
        try {
          new URL(value);
        } catch {
          out.push(`${path}: not a URI`);
        }
      }
      break;
    case "boolean":
      if (typeof value !== "boolean") out.push(`${path}: not a boolean`);
      break;
    case "integer":
      if (!Number.isInteger(value)) out.push(`${path}: not an integer`);
      break;
    default:
      break;
  }
  return out;
}
