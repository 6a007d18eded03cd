/**
 * The Helm chart charts/sealbridge, generated from the objects `install --export` prints (one source):
 * the generator is run for every feature set and for the compat-CRD and Prometheus flags with
 * placeholder namespace, image and Service name; what differs between feature sets (which objects
 * exist, the RBAC rules, the controller's `--reconcilers`) goes into a selection table the templates
 * look up by the enabled features, everything else is the object itself as template text.
 * The result is checked here: an object whose presence or content depends on the options in a
 * way the chart cannot express stops the rendering with a message saying so.
 */
import { isDeepStrictEqual } from "node:util";
import { InputError } from "../errors.js";
import type { KubeObject } from "../kube/types.js";
import { GENERATED, objectTemplate, PLACEHOLDERS } from "./chart-template.js";
import type { FeatureField, TemplateSpec, ValueField } from "./chart-template.js";
import { chartMetaFiles } from "./chart-meta.js";
import { installObjects, resolveInstallOptions } from "./manifests.js";
import { RBAC_FEATURE_NAMES } from "./rbac.js";
import { VERSION } from "../version.js";

/** The options the generator is called with. */
interface ChartRenderOptions {
  namespace: string;
  image: string;
  serviceName: string;
  features: string[];
  withCompatCrds: boolean;
  prometheus: boolean;
}

/** Where the chart comes from. */
interface ChartSource {
  /** The objects of `install --export` for these options, in apply order. */
  objects(opts: ChartRenderOptions): KubeObject[];
  /** Every feature name, `core` first (always on). */
  featureNames: readonly string[];
  /** The chart version and appVersion (package.json's version). */
  version: string;
  defaultImage: string;
  defaultServiceName: string;
}

/** A file of the chart, relative to charts/sealbridge. */
export interface ChartFile {
  path: string;
  content: string;
}

function idOf(o: KubeObject): string {
  return `${o.kind ?? "?"}/${o.metadata.name ?? "?"}`;
}

/** Every feature set: core plus each subset of the others, in featureNames order. */
function featureSets(names: readonly string[]): string[][] {
  const optional = names.filter((n) => n !== "core");
  const sets: string[][] = [];
  for (let mask = 0; mask < 1 << optional.length; mask++) sets.push(["core", ...optional.filter((_, i) => (mask & (1 << i)) !== 0)]);
  return sets;
}

function getAt(obj: unknown, path: Array<string | number>): unknown {
  let node: unknown = obj;
  for (const step of path) node = (node as Record<string | number, unknown>)[step];
  return node;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The smallest parts in which the variants differ. */
function varyingPaths(variants: unknown[], path: Array<string | number>, out: Array<Array<string | number>>): void {
  const first = variants[0];
  if (variants.every((v) => isDeepStrictEqual(v, first))) return;
  if (variants.every(isMap)) {
    const keys = Object.keys(first as Record<string, unknown>).sort().join("\u0000");
    if (variants.every((v) => Object.keys(v).sort().join("\u0000") === keys)) {
      for (const k of Object.keys(first as Record<string, unknown>)) varyingPaths(variants.map((v) => (v as Record<string, unknown>)[k]), [...path, k], out);
      return;
    }
  } else if (variants.every(Array.isArray)) {
    const len = (first as unknown[]).length;
    if (variants.every((v) => (v as unknown[]).length === len)) {
      for (let i = 0; i < len; i++) varyingPaths(variants.map((v) => (v as unknown[])[i]), [...path, i], out);
      return;
    }
  }
  out.push(path);
}

function hasPlaceholder(v: unknown): boolean {
  const text = JSON.stringify(v);
  return Object.values(PLACEHOLDERS).some((p) => text.includes(p.value));
}

/** The container resources of the Deployment, bound to `.Values.resources` (when it has any). */
function resourceValue(deployment: KubeObject): { field: ValueField; value: unknown } | undefined {
  const containers = getAt(deployment, ["spec", "template", "spec", "containers"]) as Array<Record<string, unknown>> | undefined;
  const index = containers?.findIndex((c) => c["resources"] !== undefined) ?? -1;
  if (containers === undefined || index < 0) return undefined;
  return { field: { path: ["spec", "template", "spec", "containers", index, "resources"], key: "resources" }, value: containers[index]?.["resources"] };
}

/** The objects of one rendering by kind/name, the Namespace left out (helm --create-namespace makes it). */
function render(src: ChartSource, features: string[], withCompatCrds: boolean, prometheus: boolean): Map<string, KubeObject> {
  const objs = src.objects({
    namespace: PLACEHOLDERS.namespace.value, image: PLACEHOLDERS.image.value, serviceName: PLACEHOLDERS.serviceName.value,
    features, withCompatCrds, prometheus,
  });
  const byId = new Map<string, KubeObject>();
  for (const o of objs) {
    if (o.kind === "Namespace") continue;
    const ns = o.metadata.namespace;
    if (ns !== undefined && ns !== PLACEHOLDERS.namespace.value) throw new Error(`render-chart: ${idOf(o)} is in namespace ${ns}, not the install namespace (the chart puts namespaced objects in .Release.Namespace)`);
    if (byId.has(idOf(o))) throw new Error(`render-chart: two objects are ${idOf(o)} (kind/name must be unique in install --export)`);
    byId.set(idOf(o), o);
  }
  return byId;
}

/** An object of the chart: when it is rendered and how it varies. */
interface Analysed {
  id: string;
  /** The feature sets (keys) it exists in, with the flags it needs. */
  sets: string[];
  /** Whether that is every feature set the generator accepts. */
  all: boolean;
  needsCompat: boolean;
  needsPrometheus: boolean;
  variants: KubeObject[];
}

function unexpressible(what: string): Error {
  return new Error(`render-chart: ${what}; the chart cannot express that (extend src/install/helm-chart.ts)`);
}

type Flags = "FF" | "FT" | "TF" | "TT"; // --with-compat-crds, --prometheus
const FLAGS: readonly Flags[] = ["FF", "FT", "TF", "TT"];

/** The renderings of one feature set by flags, or why the generator refuses the set. */
type SetRenders = { ok: true; byFlags: Map<Flags, Map<string, KubeObject>> } | { ok: false; error: string };

function renderSet(src: ChartSource, set: string[]): SetRenders {
  try {
    const byFlags = new Map<Flags, Map<string, KubeObject>>();
    for (const flags of FLAGS) byFlags.set(flags, render(src, set, flags[0] === "T", flags[1] === "T"));
    return { ok: true, byFlags };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { ok: false, error: err.message.split("--features").join("values.features") };
  }
}

/**
 * Renders every feature set with each combination of --with-compat-crds and --prometheus and finds,
 * per object, the feature sets it exists in, the flags it needs and its variants.
 */
function analyse(src: ChartSource, sets: string[][], refused: Map<string, string>): Analysed[] {
  const keyOf = (set: string[]): string => set.join(",");
  const renders = new Map<string, Map<Flags, Map<string, KubeObject>>>();
  const order: string[] = [];
  for (const set of [...sets].reverse()) {
    const r = renderSet(src, set);
    if (!r.ok) {
      refused.set(keyOf(set), r.error);
      continue;
    }
    renders.set(keyOf(set), r.byFlags);
    for (const id of r.byFlags.get("TT")?.keys() ?? []) if (!order.includes(id)) order.push(id);
  }
  const valid = sets.filter((s) => renders.has(keyOf(s)));
  const at = (set: string[], flags: Flags): Map<string, KubeObject> => renders.get(keyOf(set))?.get(flags) ?? new Map<string, KubeObject>();
  return order.map((id) => {
    const present = (set: string[], flags: Flags): boolean => at(set, flags).has(id);
    const needsCompat = valid.some((s) => present(s, "TT") && !present(s, "FT"));
    const needsPrometheus = valid.some((s) => present(s, "TT") && !present(s, "TF"));
    for (const s of valid) {
      const rich = at(s, "TT").get(id);
      for (const flags of FLAGS) {
        const expected = rich !== undefined && (!needsCompat || flags[0] === "T") && (!needsPrometheus || flags[1] === "T");
        if (present(s, flags) !== expected) throw unexpressible(`whether ${id} is rendered depends on the features and flags together (features ${keyOf(s)}, flags ${flags})`);
        const here = at(s, flags).get(id);
        if (flags !== "TT" && here !== undefined && !isDeepStrictEqual(here, rich)) throw unexpressible(`${id} changes with --with-compat-crds or --prometheus (features ${keyOf(s)})`);
      }
    }
    const inSets = valid.filter((s) => present(s, "TT"));
    return { id, sets: inSets.map(keyOf), all: inSets.length === valid.length, needsCompat, needsPrometheus, variants: inSets.map((s) => at(s, "TT").get(id)).filter((o): o is KubeObject => o !== undefined) };
  });
}

/** A file name for an object: kind and name, a placeholder name replaced by what it stands for. */
function fileName(index: number, id: string): string {
  let [kind = "", name = ""] = id.split("/");
  for (const [key, p] of Object.entries(PLACEHOLDERS)) name = name.split(p.value).join(key.toLowerCase());
  return `templates/${String(index + 10)}-${kind.toLowerCase()}-${name}.yaml`;
}

/**
 * The chart's generated files.
 * @throws Error when the generator's objects vary in a way the chart cannot express (the message names the object).
 */
function chartFiles(src: ChartSource): ChartFile[] {
  const sets = featureSets(src.featureNames);
  const refused = new Map<string, string>();
  const analysed = analyse(src, sets, refused);
  const table: Record<string, { objects: string[]; values: Record<string, unknown> }> = {};
  for (const set of sets) if (!refused.has(set.join(","))) table[set.join(",")] = { objects: [], values: {} };
  const deployments = analysed.filter((a) => a.variants[0]?.kind === "Deployment");
  if (deployments.length > 1) throw unexpressible(`more than one Deployment (${deployments.map((d) => d.id).join(", ")}) for the one resources value`);
  const deployment = deployments[0];
  const resources = deployment?.variants[0] !== undefined ? resourceValue(deployment.variants[0]) : undefined;
  const templates = analysed.map((a, index): ChartFile => {
    const paths: Array<Array<string | number>> = [];
    varyingPaths(a.variants, [], paths);
    const fields: FeatureField[] = paths.map((path) => {
      const fieldId = `${a.id}:${path.join(".")}`;
      const values = a.variants.map((v) => getAt(v, path));
      if (values.some(hasPlaceholder)) throw unexpressible(`${fieldId} varies with the features and holds the namespace, image or Service name`);
      a.sets.forEach((key, i) => {
        const entry = table[key];
        if (entry !== undefined) entry.values[fieldId] = values[i];
      });
      return { id: fieldId, path, scalar: values.every((v) => ["string", "number", "boolean"].includes(typeof v)) };
    });
    const gates: string[] = [];
    if (!a.all) {
      gates.push(`has ${JSON.stringify(a.id)} $sel.objects`);
      for (const key of a.sets) table[key]?.objects.push(a.id);
    }
    if (a.needsCompat) gates.push(".Values.withCompatCrds");
    if (a.needsPrometheus) gates.push(".Values.prometheus");
    const values: ValueField[] = resources !== undefined && deployment?.id === a.id ? [resources.field] : [];
    const bound = values[0]?.path.join(".");
    if (bound !== undefined && fields.some((f) => f.path.join(".").startsWith(bound))) throw unexpressible(`${a.id}'s resources vary with the features (the chart binds them to .Values.resources)`);
    const object = a.variants[0] as unknown as Record<string, unknown>;
    const spec: TemplateSpec = { object, fields, values, gates, keepable: object["kind"] === "CustomResourceDefinition" };
    return { path: fileName(index, a.id), content: objectTemplate(spec) };
  });
  return [
    ...chartMetaFiles({ ...src, resources: resources?.value }),
    { path: "templates/_selection.tpl", content: selectionTemplate(src.featureNames, table, refused) },
    ...templates,
  ];
}

/**
 * The generated files of charts/sealbridge (all but its README), from installObjects.
 * @throws Error when install --export's objects vary in a way the chart cannot express (the message names the object).
 */
export function sealbridgeChartFiles(): ChartFile[] {
  const defaults = resolveInstallOptions({});
  return chartFiles({ objects: (o) => installObjects(o), featureNames: RBAC_FEATURE_NAMES, version: VERSION, defaultImage: defaults.image, defaultServiceName: defaults.serviceName });
}

/** The helpers that pick the selection-table entry of the enabled features. */
function selectionTemplate(names: readonly string[], table: Record<string, { objects: string[]; values: Record<string, unknown> }>, refused: Map<string, string>): string {
  const pool: unknown[] = [];
  const poolIndex = new Map<string, number>();
  const ref = (value: unknown): number => {
    const text = JSON.stringify(value);
    let i = poolIndex.get(text);
    if (i === undefined) {
      i = pool.push(value) - 1;
      poolIndex.set(text, i);
    }
    return i;
  };
  // A list is stored as the list of its items' references (RBAC rules repeat across feature sets).
  const sets = Object.fromEntries(Object.entries(table).map(([key, entry]) => {
    const values = Object.fromEntries(Object.entries(entry.values).map(([field, value]) => [field, Array.isArray(value) ? value.map(ref) : ref(value)]));
    return [key, { objects: entry.objects, values }];
  }));
  const known = names.map((n) => JSON.stringify(n)).join(" ");
  return [
    `{{- /* ${GENERATED} */ -}}`,
    "",
    "{{- /* The enabled features in canonical order, core always first; an unknown name fails the rendering. */ -}}",
    '{{- define "sealbridge.features" -}}',
    `{{- $known := list ${known} -}}`,
    "{{- range .Values.features -}}",
    "{{- if not (has . $known) -}}",
    '{{- fail (printf "unknown feature %q: values.features (use one or more of %s)" . (join ", " $known)) -}}',
    "{{- end -}}",
    "{{- end -}}",
    '{{- $on := list "core" -}}',
    "{{- range $known -}}",
    '{{- if and (ne . "core") (has . $.Values.features) -}}',
    "{{- $on = append $on . -}}",
    "{{- end -}}",
    "{{- end -}}",
    '{{- join "," $on -}}',
    "{{- end -}}",
    "",
    "{{- /* What the enabled features select: the feature-dependent objects and field values (JSON; the table keeps each distinct value once, in pool). */ -}}",
    '{{- define "sealbridge.selection" -}}',
    '{{- $table := include "sealbridge.table" . | fromJson -}}',
    '{{- $features := include "sealbridge.features" . -}}',
    "{{- if hasKey $table.refused $features -}}",
    "{{- fail (index $table.refused $features) -}}",
    "{{- end -}}",
    "{{- $entry := index $table.sets $features -}}",
    "{{- $values := dict -}}",
    "{{- range $field, $ref := $entry.values -}}",
    '{{- if kindIs "slice" $ref -}}',
    "{{- $items := list -}}",
    "{{- range $ref -}}",
    "{{- $items = append $items (index $table.pool (int .)) -}}",
    "{{- end -}}",
    "{{- $_ := set $values $field $items -}}",
    "{{- else -}}",
    "{{- $_ := set $values $field (index $table.pool (int $ref)) -}}",
    "{{- end -}}",
    "{{- end -}}",
    '{{- dict "objects" $entry.objects "values" $values | toJson -}}',
    "{{- end -}}",
    "",
    '{{- define "sealbridge.table" -}}',
    JSON.stringify({ sets, pool, refused: Object.fromEntries(refused) }).replace(/\{\{/g, '{{ "{{" }}'),
    "{{- end -}}",
    "",
  ].join("\n");
}
