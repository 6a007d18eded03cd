/**
 * OpenAPI v3 component schemas of the built-in kinds the test server serves, named as
 * kube-apiserver names them (`io.k8s.api.core.v1.Secret`). Minimal — the fields people write in
 * manifests — but with the patch extensions (`x-kubernetes-patch-merge-key`,
 * `x-kubernetes-patch-strategy`) kubectl's client-side apply reads to build strategic merge
 * patches (k8s.io/api types' `patchStrategy`/`patchMergeKey` struct tags).
 */

export type Schema = Record<string, unknown>;

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const CORE = "io.k8s.api.core.v1";
const APPS = "io.k8s.api.apps.v1";
const RBAC = "io.k8s.api.rbac.v1";
const AUTHZ = "io.k8s.api.authorization.v1";
const CRD = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";

const str: Schema = { type: "string" };
const int: Schema = { type: "integer", format: "int32" };
const int64: Schema = { type: "integer", format: "int64" };
const bool: Schema = { type: "boolean" };
const bytes: Schema = { type: "string", format: "byte" };
const intOrString: Schema = { "x-kubernetes-int-or-string": true };
const anyValue: Schema = { "x-kubernetes-preserve-unknown-fields": true };

/** A reference to a component, the way kube-openapi v3 writes them. */
export function ref(name: string): Schema {
  return { allOf: [{ $ref: `#/components/schemas/${name}` }], default: {} };
}
const time = ref(`${META}.Time`);
const quantity = ref("io.k8s.apimachinery.pkg.api.resource.Quantity");

function obj(properties: Record<string, Schema>, extra: Schema = {}): Schema {
  return { type: "object", properties, ...extra };
}
function map(values: Schema): Schema {
  return { type: "object", additionalProperties: values };
}
/** An array; `mergeKey` makes it a strategic-merge list keyed by that field. */
function arr(items: Schema, opts: { mergeKey?: string; strategy?: string; listType?: string; listMapKeys?: string[] } = {}): Schema {
  const s: Schema = { type: "array", items };
  if (opts.listType !== undefined) s["x-kubernetes-list-type"] = opts.listType;
  if (opts.listMapKeys !== undefined) s["x-kubernetes-list-map-keys"] = opts.listMapKeys;
  if (opts.mergeKey !== undefined) s["x-kubernetes-patch-merge-key"] = opts.mergeKey;
  if (opts.strategy !== undefined) s["x-kubernetes-patch-strategy"] = opts.strategy;
  return s;
}
const strings = arr(str, { listType: "atomic" });
const byName = (name: string): Schema => arr(ref(name), { mergeKey: "name", strategy: "merge", listType: "map", listMapKeys: ["name"] });
const conditions = (name: string): Schema => arr(ref(name), { mergeKey: "type", strategy: "merge", listType: "map", listMapKeys: ["type"] });
const condition = obj({ type: str, status: str, lastTransitionTime: time, lastUpdateTime: time, lastProbeTime: time, reason: str, message: str, observedGeneration: int64 });

/** Top-level kind schema: apiVersion, kind, metadata plus `fields`, tagged with its GVK. */
function kind(group: string, version: string, k: string, fields: Record<string, Schema>): Schema {
  return obj(
    { apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), ...fields },
    { "x-kubernetes-group-version-kind": [{ group, version, kind: k }] },
  );
}

const localRef = obj({ name: str });
const keyRef = obj({ name: str, key: str, optional: bool });
const keyToPath = obj({ key: str, path: str, mode: int });
const seccomp = obj({ type: str, localhostProfile: str });
const seLinux = obj({ user: str, role: str, type: str, level: str });
const httpGet = obj({ path: str, port: intOrString, host: str, scheme: str, httpHeaders: arr(obj({ name: str, value: str }), { listType: "atomic" }) });
const probe = obj({
  exec: obj({ command: strings }),
  httpGet,
  tcpSocket: obj({ port: intOrString, host: str }),
  grpc: obj({ port: int, service: str }),
  initialDelaySeconds: int, timeoutSeconds: int, periodSeconds: int, successThreshold: int, failureThreshold: int, terminationGracePeriodSeconds: int64,
});
const selector = ref(`${META}.LabelSelector`);
const nameValue = obj({ name: str, value: str });
const nodeSelectorRequirement = obj({ key: str, operator: str, values: strings });
const nodeSelectorTerm = obj({ matchExpressions: arr(nodeSelectorRequirement, { listType: "atomic" }), matchFields: arr(nodeSelectorRequirement, { listType: "atomic" }) }, { "x-kubernetes-map-type": "atomic" });
const podAffinityTerm = obj({ labelSelector: selector, namespaces: strings, topologyKey: str, namespaceSelector: selector, matchLabelKeys: strings, mismatchLabelKeys: strings });
const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: arr(podAffinityTerm, { listType: "atomic" }),
  preferredDuringSchedulingIgnoredDuringExecution: arr(obj({ weight: int, podAffinityTerm }), { listType: "atomic" }),
});
const affinity = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: arr(nodeSelectorTerm, { listType: "atomic" }) }, { "x-kubernetes-map-type": "atomic" }),
    preferredDuringSchedulingIgnoredDuringExecution: arr(obj({ weight: int, preference: nodeSelectorTerm }), { listType: "atomic" }),
  }),
  podAffinity,
  podAntiAffinity: podAffinity,
});
const handler = obj({ exec: obj({ command: strings }), httpGet, tcpSocket: obj({ port: intOrString, host: str }), sleep: obj({ seconds: int64 }) });
const downwardItems = arr(obj({ path: str, fieldRef: obj({ apiVersion: str, fieldPath: str }), resourceFieldRef: obj({ containerName: str, resource: str, divisor: quantity }), mode: int }), { listType: "atomic" });
const pvcSpec = obj({
  accessModes: strings, selector, resources: obj({ limits: map(quantity), requests: map(quantity) }), volumeName: str, storageClassName: str, volumeMode: str,
  dataSource: obj({ apiGroup: str, kind: str, name: str }), dataSourceRef: obj({ apiGroup: str, kind: str, name: str, namespace: str }), volumeAttributesClassName: str,
});
const podTemplate = obj({ metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.PodSpec`) });

/** Every built-in component schema, by name. */
export const BUILTIN_SCHEMAS: Record<string, Schema> = {
  [`${META}.Time`]: { type: "string", format: "date-time" },
  [`${META}.MicroTime`]: { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: "string" },
  [`${META}.FieldsV1`]: { type: "object" },
  [`${META}.Patch`]: { type: "object" },
  [`${META}.OwnerReference`]: obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool }, { required: ["apiVersion", "kind", "name", "uid"], "x-kubernetes-map-type": "atomic" }),
  [`${META}.ManagedFieldsEntry`]: obj({ manager: str, operation: str, apiVersion: str, time, fieldsType: str, fieldsV1: ref(`${META}.FieldsV1`), subresource: str }),
  [`${META}.ObjectMeta`]: obj({
    name: str, generateName: str, namespace: str, selfLink: str, uid: str, resourceVersion: str, generation: int64,
    creationTimestamp: time, deletionTimestamp: time, deletionGracePeriodSeconds: int64,
    labels: map(str), annotations: map(str),
    ownerReferences: arr(ref(`${META}.OwnerReference`), { mergeKey: "uid", strategy: "merge", listType: "map", listMapKeys: ["uid"] }),
    finalizers: arr(str, { strategy: "merge", listType: "set" }),
    managedFields: arr(ref(`${META}.ManagedFieldsEntry`), { listType: "atomic" }),
  }),
  [`${META}.ListMeta`]: obj({ resourceVersion: str, continue: str, remainingItemCount: int64, selfLink: str }),
  [`${META}.LabelSelector`]: obj(
    { matchLabels: map(str), matchExpressions: arr(obj({ key: str, operator: str, values: strings }), { listType: "atomic" }) },
    { "x-kubernetes-map-type": "atomic" },
  ),
  [`${META}.StatusCause`]: obj({ reason: str, message: str, field: str }),
  [`${META}.StatusDetails`]: obj({ name: str, group: str, kind: str, uid: str, causes: arr(ref(`${META}.StatusCause`), { listType: "atomic" }), retryAfterSeconds: int }),
  [`${META}.Status`]: kind("", "v1", "Status", { status: str, message: str, reason: str, details: ref(`${META}.StatusDetails`), code: int }),
  [`${CORE}.ObjectReference`]: obj({ kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str }),
  [`${CORE}.LocalObjectReference`]: localRef,

  [`${CORE}.Namespace`]: kind("", "v1", "Namespace", {
    spec: obj({ finalizers: strings }),
    status: obj({ phase: str, conditions: conditions(`${CORE}.NamespaceCondition`) }),
  }),
  [`${CORE}.NamespaceCondition`]: condition,
  [`${CORE}.Secret`]: kind("", "v1", "Secret", { data: map(bytes), stringData: map(str), type: str, immutable: bool }),
  [`${CORE}.ConfigMap`]: kind("", "v1", "ConfigMap", { data: map(str), binaryData: map(bytes), immutable: bool }),
  [`${CORE}.ServiceAccount`]: kind("", "v1", "ServiceAccount", {
    secrets: arr(ref(`${CORE}.ObjectReference`), { mergeKey: "name", strategy: "merge", listType: "map", listMapKeys: ["name"] }),
    imagePullSecrets: arr(ref(`${CORE}.LocalObjectReference`), { listType: "atomic" }),
    automountServiceAccountToken: bool,
  }),
  [`${CORE}.Event`]: kind("", "v1", "Event", {
    involvedObject: ref(`${CORE}.ObjectReference`), reason: str, message: str, source: obj({ component: str, host: str }),
    firstTimestamp: time, lastTimestamp: time, count: int, type: str, eventTime: ref(`${META}.MicroTime`),
    series: obj({ count: int, lastObservedTime: ref(`${META}.MicroTime`) }), action: str, related: ref(`${CORE}.ObjectReference`),
    reportingComponent: str, reportingInstance: str,
  }),
  [`${CORE}.Pod`]: kind("", "v1", "Pod", {
    spec: ref(`${CORE}.PodSpec`),
    status: obj({ phase: str, conditions: conditions(`${CORE}.PodCondition`), message: str, reason: str, hostIP: str, podIP: str, startTime: time, podIPs: arr(obj({ ip: str }), { listType: "atomic" }) }),
  }),
  [`${CORE}.PodCondition`]: condition,
  [`${CORE}.Service`]: kind("", "v1", "Service", {
    spec: obj({
      ports: arr(ref(`${CORE}.ServicePort`), { mergeKey: "port", strategy: "merge", listType: "map", listMapKeys: ["port", "protocol"] }),
      selector: map(str), clusterIP: str, clusterIPs: strings, type: str, externalIPs: strings, sessionAffinity: str, loadBalancerIP: str,
      loadBalancerSourceRanges: strings, externalName: str, externalTrafficPolicy: str, internalTrafficPolicy: str, healthCheckNodePort: int,
      publishNotReadyAddresses: bool, ipFamilies: strings, ipFamilyPolicy: str, allocateLoadBalancerNodePorts: bool, loadBalancerClass: str,
      sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int }) }), trafficDistribution: str,
    }),
    status: obj({ loadBalancer: obj({ ingress: arr(obj({ ip: str, hostname: str, ipMode: str, ports: arr(obj({ port: int, protocol: str, error: str }), { listType: "atomic" }) }), { listType: "atomic" }) }), conditions: conditions(`${META}.Condition`) }),
  }),
  [`${META}.Condition`]: condition,
  [`${CORE}.ServicePort`]: obj({ name: str, protocol: str, appProtocol: str, port: int, targetPort: intOrString, nodePort: int }),
  [`${CORE}.PodSpec`]: obj({
    volumes: arr(ref(`${CORE}.Volume`), { mergeKey: "name", strategy: "merge,retainKeys", listType: "map", listMapKeys: ["name"] }),
    initContainers: byName(`${CORE}.Container`),
    containers: byName(`${CORE}.Container`),
    restartPolicy: str, terminationGracePeriodSeconds: int64, activeDeadlineSeconds: int64, dnsPolicy: str, nodeSelector: map(str),
    serviceAccountName: str, serviceAccount: str, automountServiceAccountToken: bool, nodeName: str, hostNetwork: bool, hostPID: bool, hostIPC: bool,
    shareProcessNamespace: bool, securityContext: ref(`${CORE}.PodSecurityContext`),
    imagePullSecrets: arr(ref(`${CORE}.LocalObjectReference`), { mergeKey: "name", strategy: "merge", listType: "map", listMapKeys: ["name"] }),
    hostname: str, subdomain: str, affinity, schedulerName: str,
    tolerations: arr(obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int64 }), { listType: "atomic" }),
    priorityClassName: str, priority: int, enableServiceLinks: bool, preemptionPolicy: str, runtimeClassName: str,
    dnsConfig: obj({ nameservers: strings, searches: strings, options: arr(nameValue, { listType: "atomic" }) }),
    hostAliases: arr(obj({ ip: str, hostnames: strings }), { mergeKey: "ip", strategy: "merge", listType: "map", listMapKeys: ["ip"] }),
    readinessGates: arr(obj({ conditionType: str }), { listType: "atomic" }), os: obj({ name: str }), setHostnameAsFQDN: bool, hostUsers: bool,
    overhead: map(quantity), schedulingGates: arr(obj({ name: str }), { mergeKey: "name", strategy: "merge", listType: "map", listMapKeys: ["name"] }),
    topologySpreadConstraints: arr(obj({ maxSkew: int, topologyKey: str, whenUnsatisfiable: str, labelSelector: selector, minDomains: int, nodeAffinityPolicy: str, nodeTaintsPolicy: str, matchLabelKeys: strings }), { mergeKey: "topologyKey", strategy: "merge", listType: "map", listMapKeys: ["topologyKey", "whenUnsatisfiable"] }),
  }),
  [`${CORE}.PodSecurityContext`]: obj({
    seLinuxOptions: seLinux, runAsUser: int64, runAsGroup: int64, runAsNonRoot: bool, supplementalGroups: arr(int64, { listType: "atomic" }),
    fsGroup: int64, fsGroupChangePolicy: str, sysctls: arr(obj({ name: str, value: str }), { listType: "atomic" }), seccompProfile: seccomp, appArmorProfile: seccomp,
  }),
  [`${CORE}.Container`]: obj({
    name: str, image: str, command: strings, args: strings, workingDir: str,
    ports: arr(obj({ name: str, hostPort: int, containerPort: int, protocol: str, hostIP: str }), { mergeKey: "containerPort", strategy: "merge", listType: "map", listMapKeys: ["containerPort", "protocol"] }),
    envFrom: arr(obj({ prefix: str, configMapRef: keyRef, secretRef: keyRef }), { listType: "atomic" }),
    env: arr(ref(`${CORE}.EnvVar`), { mergeKey: "name", strategy: "merge", listType: "map", listMapKeys: ["name"] }),
    resources: obj({ limits: map(quantity), requests: map(quantity), claims: arr(obj({ name: str, request: str }), { listType: "map", listMapKeys: ["name"] }) }),
    volumeMounts: arr(obj({ name: str, readOnly: bool, recursiveReadOnly: str, mountPath: str, subPath: str, mountPropagation: str, subPathExpr: str }), {
      mergeKey: "mountPath", strategy: "merge", listType: "map", listMapKeys: ["mountPath"],
    }),
    livenessProbe: probe, readinessProbe: probe, startupProbe: probe,
    lifecycle: obj({ postStart: handler, preStop: handler, stopSignal: str }),
    resizePolicy: arr(obj({ resourceName: str, restartPolicy: str }), { listType: "atomic" }),
    terminationMessagePath: str, terminationMessagePolicy: str, imagePullPolicy: str,
    securityContext: obj({
      capabilities: obj({ add: strings, drop: strings }), privileged: bool, seLinuxOptions: seLinux, runAsUser: int64, runAsGroup: int64, runAsNonRoot: bool,
      readOnlyRootFilesystem: bool, allowPrivilegeEscalation: bool, procMount: str, seccompProfile: seccomp, appArmorProfile: seccomp,
    }),
    stdin: bool, stdinOnce: bool, tty: bool, restartPolicy: str,
  }),
  [`${CORE}.EnvVar`]: obj({
    name: str, value: str,
    valueFrom: obj({
      fieldRef: obj({ apiVersion: str, fieldPath: str }), resourceFieldRef: obj({ containerName: str, resource: str, divisor: quantity }),
      configMapKeyRef: keyRef, secretKeyRef: keyRef,
    }),
  }),
  [`${CORE}.Volume`]: obj({
    name: str,
    hostPath: obj({ path: str, type: str }),
    emptyDir: obj({ medium: str, sizeLimit: quantity }),
    secret: obj({ secretName: str, items: arr(keyToPath, { listType: "atomic" }), defaultMode: int, optional: bool }),
    configMap: obj({ name: str, items: arr(keyToPath, { listType: "atomic" }), defaultMode: int, optional: bool }),
    persistentVolumeClaim: obj({ claimName: str, readOnly: bool }),
    downwardAPI: obj({ items: downwardItems, defaultMode: int }),
    nfs: obj({ server: str, path: str, readOnly: bool }),
    ephemeral: obj({ volumeClaimTemplate: obj({ metadata: ref(`${META}.ObjectMeta`), spec: pvcSpec }) }),
    image: obj({ reference: str, pullPolicy: str }),
    projected: obj({
      sources: arr(
        obj({
          secret: obj({ name: str, items: arr(keyToPath, { listType: "atomic" }), optional: bool }),
          configMap: obj({ name: str, items: arr(keyToPath, { listType: "atomic" }), optional: bool }),
          serviceAccountToken: obj({ audience: str, expirationSeconds: int64, path: str }),
          downwardAPI: obj({ items: downwardItems }),
        }),
        { listType: "atomic" },
      ),
      defaultMode: int,
    }),
    csi: obj({ driver: str, readOnly: bool, fsType: str, volumeAttributes: map(str), nodePublishSecretRef: localRef }),
  }),

  [`${APPS}.Deployment`]: kind("apps", "v1", "Deployment", {
    spec: obj({
      replicas: int, selector, template: podTemplate,
      strategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString }) }, { "x-kubernetes-patch-strategy": "retainKeys" }),
      minReadySeconds: int, revisionHistoryLimit: int, paused: bool, progressDeadlineSeconds: int,
    }),
    status: obj({
      observedGeneration: int64, replicas: int, updatedReplicas: int, readyReplicas: int, availableReplicas: int, unavailableReplicas: int,
      terminatingReplicas: int, conditions: conditions(`${APPS}.DeploymentCondition`), collisionCount: int,
    }),
  }),
  [`${APPS}.DeploymentCondition`]: condition,
  [`${APPS}.StatefulSet`]: kind("apps", "v1", "StatefulSet", {
    spec: obj({
      replicas: int, selector, template: podTemplate, serviceName: str, podManagementPolicy: str,
      updateStrategy: obj({ type: str, rollingUpdate: obj({ partition: int, maxUnavailable: intOrString }) }),
      volumeClaimTemplates: arr(obj({ apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), spec: pvcSpec }), { listType: "atomic" }), revisionHistoryLimit: int, minReadySeconds: int,
      persistentVolumeClaimRetentionPolicy: obj({ whenDeleted: str, whenScaled: str }), ordinals: obj({ start: int }),
    }),
    status: obj({ observedGeneration: int64, replicas: int, readyReplicas: int, currentReplicas: int, updatedReplicas: int, availableReplicas: int, conditions: conditions(`${APPS}.DeploymentCondition`) }),
  }),
  [`${APPS}.DaemonSet`]: kind("apps", "v1", "DaemonSet", {
    spec: obj({
      selector, template: podTemplate, minReadySeconds: int, revisionHistoryLimit: int,
      updateStrategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
    }),
    status: obj({ currentNumberScheduled: int, numberMisscheduled: int, desiredNumberScheduled: int, numberReady: int, observedGeneration: int64, updatedNumberScheduled: int, numberAvailable: int, numberUnavailable: int, conditions: conditions(`${APPS}.DeploymentCondition`) }),
  }),

  "io.k8s.api.coordination.v1.Lease": kind("coordination.k8s.io", "v1", "Lease", {
    spec: obj({ holderIdentity: str, leaseDurationSeconds: int, acquireTime: ref(`${META}.MicroTime`), renewTime: ref(`${META}.MicroTime`), leaseTransitions: int, strategy: str, preferredHolder: str }),
  }),
  "io.k8s.api.events.v1.Event": kind("events.k8s.io", "v1", "Event", {
    eventTime: ref(`${META}.MicroTime`), series: obj({ count: int, lastObservedTime: ref(`${META}.MicroTime`) }), reportingController: str, reportingInstance: str,
    action: str, reason: str, regarding: ref(`${CORE}.ObjectReference`), related: ref(`${CORE}.ObjectReference`), note: str, type: str,
    deprecatedSource: obj({ component: str, host: str }), deprecatedFirstTimestamp: time, deprecatedLastTimestamp: time, deprecatedCount: int,
  }),
  [`${RBAC}.PolicyRule`]: obj({ verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings, nonResourceURLs: strings }),
  [`${RBAC}.Subject`]: obj({ kind: str, apiGroup: str, name: str, namespace: str }, { "x-kubernetes-map-type": "atomic" }),
  [`${RBAC}.RoleRef`]: obj({ apiGroup: str, kind: str, name: str }, { "x-kubernetes-map-type": "atomic" }),
  [`${RBAC}.Role`]: kind("rbac.authorization.k8s.io", "v1", "Role", { rules: arr(ref(`${RBAC}.PolicyRule`), { listType: "atomic" }) }),
  [`${RBAC}.ClusterRole`]: kind("rbac.authorization.k8s.io", "v1", "ClusterRole", {
    rules: arr(ref(`${RBAC}.PolicyRule`), { listType: "atomic" }),
    aggregationRule: obj({ clusterRoleSelectors: arr(selector, { listType: "atomic" }) }),
  }),
  [`${RBAC}.RoleBinding`]: kind("rbac.authorization.k8s.io", "v1", "RoleBinding", { subjects: arr(ref(`${RBAC}.Subject`), { listType: "atomic" }), roleRef: ref(`${RBAC}.RoleRef`) }),
  [`${RBAC}.ClusterRoleBinding`]: kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", { subjects: arr(ref(`${RBAC}.Subject`), { listType: "atomic" }), roleRef: ref(`${RBAC}.RoleRef`) }),
  "io.k8s.api.authentication.v1.TokenReview": kind("authentication.k8s.io", "v1", "TokenReview", {
    spec: obj({ token: str, audiences: strings }),
    status: obj({ authenticated: bool, user: ref("io.k8s.api.authentication.v1.UserInfo"), audiences: strings, error: str }),
  }),
  "io.k8s.api.authentication.v1.UserInfo": obj({ username: str, uid: str, groups: strings, extra: map(strings) }),
  "io.k8s.api.authentication.v1.SelfSubjectReview": kind("authentication.k8s.io", "v1", "SelfSubjectReview", {
    status: obj({ userInfo: ref("io.k8s.api.authentication.v1.UserInfo") }),
  }),
  [`${AUTHZ}.ResourceAttributes`]: obj({ namespace: str, verb: str, group: str, version: str, resource: str, subresource: str, name: str }),
  [`${AUTHZ}.NonResourceAttributes`]: obj({ path: str, verb: str }),
  [`${AUTHZ}.SubjectAccessReviewSpec`]: obj({
    resourceAttributes: ref(`${AUTHZ}.ResourceAttributes`), nonResourceAttributes: ref(`${AUTHZ}.NonResourceAttributes`),
    user: str, groups: strings, extra: map(strings), uid: str,
  }),
  [`${AUTHZ}.SubjectAccessReviewStatus`]: obj({ allowed: bool, denied: bool, reason: str, evaluationError: str }),
  [`${AUTHZ}.SelfSubjectAccessReview`]: kind("authorization.k8s.io", "v1", "SelfSubjectAccessReview", {
    spec: obj({ resourceAttributes: ref(`${AUTHZ}.ResourceAttributes`), nonResourceAttributes: ref(`${AUTHZ}.NonResourceAttributes`) }),
    status: ref(`${AUTHZ}.SubjectAccessReviewStatus`),
  }),
  [`${AUTHZ}.SubjectAccessReview`]: kind("authorization.k8s.io", "v1", "SubjectAccessReview", {
    spec: ref(`${AUTHZ}.SubjectAccessReviewSpec`), status: ref(`${AUTHZ}.SubjectAccessReviewStatus`),
  }),
  [`${AUTHZ}.LocalSubjectAccessReview`]: kind("authorization.k8s.io", "v1", "LocalSubjectAccessReview", {
    spec: ref(`${AUTHZ}.SubjectAccessReviewSpec`), status: ref(`${AUTHZ}.SubjectAccessReviewStatus`),
  }),

  [`${CRD}.CustomResourceDefinition`]: kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", {
    spec: obj({
      group: str,
      names: ref(`${CRD}.CustomResourceDefinitionNames`),
      scope: str,
      versions: arr(ref(`${CRD}.CustomResourceDefinitionVersion`), { listType: "atomic" }),
      conversion: obj({ strategy: str, webhook: obj({ clientConfig: obj({ url: str, caBundle: bytes, service: obj({ namespace: str, name: str, path: str, port: int }) }), conversionReviewVersions: strings }) }),
      preserveUnknownFields: bool,
    }),
    status: obj({ conditions: conditions(`${CRD}.CustomResourceDefinitionCondition`), acceptedNames: ref(`${CRD}.CustomResourceDefinitionNames`), storedVersions: strings }),
  }),
  [`${CRD}.CustomResourceDefinitionCondition`]: condition,
  [`${CRD}.CustomResourceDefinitionNames`]: obj({ plural: str, singular: str, shortNames: strings, kind: str, listKind: str, categories: strings }),
  [`${CRD}.CustomResourceDefinitionVersion`]: obj({
    name: str, served: bool, storage: bool, deprecated: bool, deprecationWarning: str,
    schema: obj({ openAPIV3Schema: ref(`${CRD}.JSONSchemaProps`) }),
    subresources: obj({ status: { type: "object" }, scale: obj({ specReplicasPath: str, statusReplicasPath: str, labelSelectorPath: str }) }),
    additionalPrinterColumns: arr(obj({ name: str, type: str, format: str, description: str, priority: int, jsonPath: str }), { listType: "atomic" }),
    selectableFields: arr(obj({ jsonPath: str }), { listType: "atomic" }),
  }),
  [`${CRD}.JSONSchemaProps`]: obj({
    type: str, format: str, description: str, title: str, default: anyValue, enum: arr(anyValue, { listType: "atomic" }), example: anyValue,
    properties: map(ref(`${CRD}.JSONSchemaProps`)), additionalProperties: anyValue, items: anyValue, required: strings, nullable: bool,
    minimum: { type: "number" }, maximum: { type: "number" }, minLength: int64, maxLength: int64, minItems: int64, maxItems: int64, pattern: str,
    allOf: arr(ref(`${CRD}.JSONSchemaProps`), { listType: "atomic" }), anyOf: arr(ref(`${CRD}.JSONSchemaProps`), { listType: "atomic" }),
    oneOf: arr(ref(`${CRD}.JSONSchemaProps`), { listType: "atomic" }), not: ref(`${CRD}.JSONSchemaProps`),
    "x-kubernetes-preserve-unknown-fields": bool, "x-kubernetes-int-or-string": bool, "x-kubernetes-embedded-resource": bool,
    "x-kubernetes-list-type": str, "x-kubernetes-list-map-keys": strings, "x-kubernetes-map-type": str,
    "x-kubernetes-validations": arr(obj({ rule: str, message: str, messageExpression: str, reason: str, fieldPath: str, optionalOldSelf: bool }), { listType: "map", listMapKeys: ["rule"] }),
  }),
};

/** The component name of a built-in kind's schema, e.g. `io.k8s.api.core.v1.Secret`; null if none. */
export function builtinSchemaName(group: string, version: string, kindName: string): string | null {
  for (const [name, schema] of Object.entries(BUILTIN_SCHEMAS)) {
    const gvks = schema["x-kubernetes-group-version-kind"];
    if (Array.isArray(gvks) && gvks.some((g: { group: string; version: string; kind: string }) => g.group === group && g.version === version && g.kind === kindName)) {
      return name;
    }
  }
  return null;
}

/** Strategic-merge metadata of one field: its list merge key and patch strategy, if any. */
export interface PatchMeta {
  mergeKey?: string;
  /** e.g. "merge", "retainKeys", "merge,retainKeys". */
  strategy?: string;
}

function resolveRef(s: Schema): Schema | undefined {
  const allOf = s["allOf"];
  const target = Array.isArray(allOf) ? (allOf[0] as Schema | undefined) : s;
  const r = target?.["$ref"];
  if (typeof r !== "string") return target;
  return BUILTIN_SCHEMAS[r.replace("#/components/schemas/", "")];
}

/**
 * The patch metadata of the field at `path` (field names; list items are stepped through) in a
 * built-in kind, as kubectl reads it from the OpenAPI v3 schema: e.g. Deployment
 * `["spec","template","spec","containers"]` → `{ mergeKey: "name", strategy: "merge" }`,
 * ServiceAccount `["imagePullSecrets"]` → `{}` (atomic: replaced whole). Lets a strategic merge
 * patch implementation agree with what kubectl computed. Returns null when the kind or the path
 * is not described here.
 */
export function patchMetaAt(group: string, version: string, kindName: string, path: readonly string[]): PatchMeta | null {
  const name = builtinSchemaName(group, version, kindName);
  let schema: Schema | undefined = name === null ? undefined : BUILTIN_SCHEMAS[name];
  let field: Schema | undefined;
  for (const key of path) {
    if (schema === undefined) return null;
    const props = schema["properties"] as Record<string, Schema> | undefined;
    field = props?.[key];
    if (field === undefined) return null;
    const items = field["type"] === "array" ? (field["items"] as Schema | undefined) : field;
    schema = items === undefined ? undefined : resolveRef(items);
  }
  if (field === undefined) return null;
  const meta: PatchMeta = {};
  if (typeof field["x-kubernetes-patch-merge-key"] === "string") meta.mergeKey = field["x-kubernetes-patch-merge-key"];
  if (typeof field["x-kubernetes-patch-strategy"] === "string") meta.strategy = field["x-kubernetes-patch-strategy"];
  return meta;
}
