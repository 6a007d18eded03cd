// STUB (owned by the kubectl-compatibility engineer): decoding kubectl's protobuf request bodies.

/** True for `application/vnd.kubernetes.protobuf` bodies. */
export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? "").startsWith("application/vnd.kubernetes.protobuf");
}

/**
 * Decodes a "k8s\0"-prefixed runtime.Unknown body (Namespace, Secret, ServiceAccount,
 * ClusterRole, ClusterRoleBinding as kubectl create sends them) into its JSON object form,
 * dropping empty/zero scalars. @throws Error naming the unsupported kind or malformed field.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  void body;
  throw new Error("protobuf bodies are not supported yet");
}
