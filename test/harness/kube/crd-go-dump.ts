/**
 * How kube-apiserver prints a CRD's versions or schema as the bad value of a field.Invalid: the
 * JSON of the internal apiextensions Go types (field names capitalised, every field present, nil
 * as null), after the v1 → internal conversion moved schemas, subresources and printer columns
 * that all versions share to the top level (their per-version fields are then null).
 */
type Json = Record<string, unknown>;

function rec(v: unknown): Json | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}
const orNull = (v: unknown): unknown => (v === undefined ? null : v);
const list = (v: unknown): unknown[] | null => (Array.isArray(v) && v.length > 0 ? v : null);

/** The internal JSONSchemaProps of an OpenAPI v3 schema, as Go's encoding/json writes it. */
export function goSchemaProps(s: Json): Json {
  const sub = (v: unknown) => (rec(v) ? goSchemaProps(rec(v) ?? {}) : null);
  const subs = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v.map((x) => goSchemaProps(rec(x) ?? {})) : null);
  const props = rec(s["properties"]);
  const ap = s["additionalProperties"];
  return {
    ID: s["id"] ?? "", Schema: s["$schema"] ?? "", Ref: orNull(s["$ref"]), Description: s["description"] ?? "", Type: s["type"] ?? "",
    Nullable: s["nullable"] === true, Format: s["format"] ?? "", Title: s["title"] ?? "", Default: orNull(s["default"]),
    Maximum: orNull(s["maximum"]), ExclusiveMaximum: s["exclusiveMaximum"] === true, Minimum: orNull(s["minimum"]), ExclusiveMinimum: s["exclusiveMinimum"] === true,
    MaxLength: orNull(s["maxLength"]), MinLength: orNull(s["minLength"]), Pattern: s["pattern"] ?? "", MaxItems: orNull(s["maxItems"]), MinItems: orNull(s["minItems"]),
    UniqueItems: s["uniqueItems"] === true, MultipleOf: orNull(s["multipleOf"]), Enum: list(s["enum"]), MaxProperties: orNull(s["maxProperties"]),
    MinProperties: orNull(s["minProperties"]), Required: list(s["required"]),
    Items: rec(s["items"]) ? { Schema: sub(s["items"]), JSONSchemas: null } : null,
    AllOf: subs(s["allOf"]), OneOf: subs(s["oneOf"]), AnyOf: subs(s["anyOf"]), Not: sub(s["not"]),
    Properties: props && Object.keys(props).length > 0 ? Object.fromEntries(Object.keys(props).sort().map((k) => [k, sub(props[k])])) : null,
    AdditionalProperties: ap === undefined ? null : { Allows: ap !== false, Schema: sub(ap) },
    PatternProperties: null, Dependencies: null, AdditionalItems: null, Definitions: null, ExternalDocs: orNull(s["externalDocs"]), Example: orNull(s["example"]),
    XPreserveUnknownFields: orNull(s["x-kubernetes-preserve-unknown-fields"]), XEmbeddedResource: s["x-kubernetes-embedded-resource"] === true,
    XIntOrString: s["x-kubernetes-int-or-string"] === true, XListMapKeys: list(s["x-kubernetes-list-map-keys"]), XListType: orNull(s["x-kubernetes-list-type"]),
    XMapType: orNull(s["x-kubernetes-map-type"]),
    XValidations: list(s["x-kubernetes-validations"])?.map((r) => {
      const x = rec(r) ?? {};
      return { Rule: x["rule"] ?? "", Message: x["message"] ?? "", MessageExpression: x["messageExpression"] ?? "", Reason: orNull(x["reason"]), FieldPath: x["fieldPath"] ?? "", OptionalOldSelf: orNull(x["optionalOldSelf"]) };
    }) ?? null,
  };
}

/** Which per-version fields all versions share (Semantic.DeepEqual: an empty list equals none). */
export function sharedPerVersion(versions: Json[]): { schema: boolean; subresources: boolean; columns: boolean } {
  const norm = (v: unknown) => JSON.stringify(Array.isArray(v) && v.length === 0 ? undefined : v) ?? "";
  const same = (k: string) => versions.length > 0 && versions.every((v) => norm(v[k]) === norm(versions[0]?.[k]));
  return { schema: same("schema"), subresources: same("subresources"), columns: same("additionalPrinterColumns") };
}

/** spec.versions as the internal []CustomResourceDefinitionVersion JSON. */
export function goVersions(versions: Json[]): Json[] {
  const shared = sharedPerVersion(versions);
  return versions.map((v) => {
    const schema = rec(rec(v["schema"])?.["openAPIV3Schema"]);
    const sr = rec(v["subresources"]);
    const cols = list(v["additionalPrinterColumns"]);
    return {
      Name: v["name"] ?? "", Served: v["served"] === true, Storage: v["storage"] === true, Deprecated: v["deprecated"] === true,
      DeprecationWarning: orNull(v["deprecationWarning"]),
      Schema: shared.schema || !rec(v["schema"]) ? null : { OpenAPIV3Schema: schema ? goSchemaProps(schema) : null },
      Subresources: shared.subresources || !sr ? null : { Status: sr["status"] === undefined ? null : {}, Scale: orNull(sr["scale"]) },
      AdditionalPrinterColumns: shared.columns || !cols ? null : cols.map((c) => {
        const x = rec(c) ?? {};
        return { Name: x["name"] ?? "", Type: x["type"] ?? "", Format: x["format"] ?? "", Description: x["description"] ?? "", Priority: x["priority"] ?? 0, JSONPath: x["jsonPath"] ?? "" };
      }),
      SelectableFields: list(v["selectableFields"])?.map((f) => ({ JSONPath: rec(f)?.["jsonPath"] ?? "" })) ?? null,
    };
  });
}
