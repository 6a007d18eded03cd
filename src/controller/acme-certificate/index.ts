/**
 * The AcmeCertificate kind: parse (zod, a bad spec is stalled naming the field), observe (one
 * order step per pass) and the pure plan; `acmeCertificateFactory` registers it in the controller.
 */
import { acmeCertificateResource, acmeCertificateSchema, type AcmeCertificate } from "../../api/acme-certificate.js";
import { systemResolvers } from "../../acme/dns/system-resolvers.js";
import { SECRETS } from "../../kube/resources.js";
import type { ControllerConfig } from "../config.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import type { Reconciler } from "../types.js";
import { acmeDeps } from "./deps.js";
import type { KindDefinition } from "../runtime/kind.js";
import { observeAcmeCertificate, type AcmeDeps } from "./observe.js";
import { planAcmeCertificate, type AcmeObserved } from "./plan.js";

/** The kind, talking to CAs and DNS through `deps`. */
export function acmeCertificateKind(deps: AcmeDeps): KindDefinition<AcmeCertificate, AcmeObserved> {
  return {
    name: "acmecertificate",
    resource: acmeCertificateResource,
    statusShape: "conditions",
    statusTimeFields: ["lastFailureTime"],
    secondaryWatches: [
      {
        // All Secrets (the solver's credential and CA bundle are the user's, unlabelled); only
        // ours map back to their AcmeCertificate, the others are read on the next pass or resync.
        resource: SECRETS,
        mapToPrimary: (obj) => {
          const owner = obj.metadata.labels?.["sealbridge.io/acme-certificate"];
          return owner && obj.metadata.namespace ? [`${obj.metadata.namespace}/${owner}`] : [];
        },
      },
    ],
    parse(obj) {
      const parsed = acmeCertificateSchema.safeParse(obj);
      if (parsed.success) return { ok: true, value: parsed.data };
      const issue = parsed.error.issues[0];
      return { ok: false, reason: "InvalidSpec", message: `invalid AcmeCertificate: ${issue?.path.join(".") || "object"} ${issue?.message ?? ""} (fix the spec)`.trim() };
    },
    observe: (ctx, cert) => observeAcmeCertificate(ctx, deps, cert),
    plan: (cert, observed, now) => planAcmeCertificate(cert, observed, now),
  };
}

/** The AcmeCertificate reconciler for `sealbridge controller`. */
export async function acmeCertificateFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return kindReconciler(acmeCertificateKind(acmeDeps({ clock: deps.clock, resolvers: systemResolvers() })));
}
