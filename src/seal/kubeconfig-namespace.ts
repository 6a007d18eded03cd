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
 * sets none (kubectl's rule). Files are merged as kubectl merges a `KUBECONFIG` list: the first
 * file to set current-context, or to define a context of that name, wins. Never throws.
 */
export async function kubeconfigNamespace(options: { kubeconfig?: string | undefined; context?: string | undefined; env: Record<string, string | undefined> }): Promise<string> {
  const candidates = options.kubeconfig
    ? [options.kubeconfig]
    : options.env["KUBECONFIG"]
      ? options.env["KUBECONFIG"].split(delimiter).filter((p) => p !== "")
      : [join(options.env["HOME"] ?? homedir(), ".kube", "config")];
  const { parse } = await import("yaml");
  const files: Array<z.infer<typeof kubeconfigSchema>> = [];
  for (const path of candidates) {
    try {
      const parsed = kubeconfigSchema.safeParse(parse(await readFile(path, "utf8")));
      if (parsed.success) files.push(parsed.data);
    } catch {
      // missing or unreadable: skipped, as kubectl skips it
    }
  }
  const name = options.context ?? files.map((f) => f["current-context"]).find((c) => c !== undefined && c !== "");
  for (const file of files) {
    const context = file.contexts?.find((c) => c.name === name);
    if (context) return context.context?.namespace || "default";
  }
  return "default";
}
