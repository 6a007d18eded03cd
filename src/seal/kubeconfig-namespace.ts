/**
 * The namespace of the kubeconfig's current context, which kubeseal uses for a Secret that
 * names none. Read directly from the file (no Kubernetes client), only when it is needed.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { z } from "zod";

const kubeconfigSchema = z.looseObject({
  "current-context": z.string().optional(),
  contexts: z
    .array(z.looseObject({ name: z.string(), context: z.looseObject({ namespace: z.string().optional() }).optional() }))
    .nullish(),
});

/**
 * The current context's namespace, or "default" when the kubeconfig is missing, unreadable or
 * sets none (kubectl's rule). Never throws.
 */
export async function kubeconfigNamespace(options: { kubeconfig?: string | undefined; context?: string | undefined; env: Record<string, string | undefined> }): Promise<string> {
  const candidates = options.kubeconfig
    ? [options.kubeconfig]
    : options.env["KUBECONFIG"]
      ? options.env["KUBECONFIG"].split(delimiter).filter((p) => p !== "")
      : [join(options.env["HOME"] ?? homedir(), ".kube", "config")];
  const { parse } = await import("yaml");
  for (const path of candidates) {
    try {
      const parsed = kubeconfigSchema.safeParse(parse(await readFile(path, "utf8")));
      if (!parsed.success) continue;
      const name = options.context ?? parsed.data["current-context"];
      const namespace = parsed.data.contexts?.find((c) => c.name === name)?.context?.namespace;
      if (namespace) return namespace;
    } catch {
      // missing or unreadable: try the next one, then fall back to "default"
    }
  }
  return "default";
}
