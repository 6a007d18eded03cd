/** The built-in Kubernetes resources sealbridge reads and writes, named once. */
import type { ResourceRef } from "./types.js";

export const NAMESPACES: ResourceRef = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };
export const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };
export const CONFIGMAPS: ResourceRef = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true };
export const EVENTS: ResourceRef = { group: "", version: "v1", plural: "events", kind: "Event", namespaced: true };
export const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true };
export const PODS: ResourceRef = { group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true };
export const SERVICES: ResourceRef = { group: "", version: "v1", plural: "services", kind: "Service", namespaced: true };
