/**
 * The live registry of served resource types: the built-ins plus, per established CRD, one entry
 * per served version together with what the CRD says about it (schema, status subresource,
 * printer columns).
 */
import { BUILTIN_RESOURCE_TYPES, type ResourceType } from "./resource-types.js";
import type { PrinterColumn } from "./table.js";

/** What a CRD version adds to its ResourceType. */
export interface CustomVersionInfo {
  crdName: string;
  schema: unknown;
  statusSubresource: boolean;
  columns: PrinterColumn[] | undefined;
  /** The version's selectableFields as field-selector names (`spec.secretStoreRef.name`). */
  selectableFields?: string[];
  /** The Warning text of a `deprecated: true` version (its deprecationWarning, or the default). */
  deprecationWarning?: string;
}

function typeId(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

/** The served types; see the module comment. */
export class TypeRegistry {
  private custom: { type: ResourceType; info: CustomVersionInfo }[] = [];
  private index = new Map<string, ResourceType>();
  private snapshot: ResourceType[] = [];

  constructor() {
    this.rebuild();
  }

  private rebuild(): void {
    this.snapshot = [...BUILTIN_RESOURCE_TYPES, ...this.custom.map((c) => c.type)];
    this.index = new Map(this.snapshot.map((t) => [typeId(t.group, t.version, t.plural), t]));
  }

  /** Every served type (built-ins first). */
  all(): readonly ResourceType[] {
    return this.snapshot;
  }

  /** The type served at group/version/plural, or undefined. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.index.get(typeId(group, version, plural));
  }

  /** The first served type of a group with this kind (any version), or undefined. */
  findByKind(group: string, kind: string): ResourceType | undefined {
    return this.snapshot.find((t) => t.group === group && t.kind === kind);
  }

  /** True when group/version is served at all. */
  hasGroupVersion(group: string, version: string): boolean {
    return this.snapshot.some((t) => t.group === group && t.version === version);
  }

  /** CRD details of a custom type, or undefined for built-ins. */
  customInfo(t: ResourceType): CustomVersionInfo | undefined {
    return this.custom.find((c) => c.type === t)?.info;
  }

  /** Replaces the types a CRD serves (an empty list unregisters it). */
  setCrdTypes(crdName: string, entries: { type: ResourceType; info: CustomVersionInfo }[]): void {
    this.custom = [...this.custom.filter((c) => c.info.crdName !== crdName), ...entries];
    this.rebuild();
  }

  /** Removes every custom type (server reset). */
  clearCustom(): void {
    this.custom = [];
    this.rebuild();
  }
}
