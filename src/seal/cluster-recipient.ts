/**
 * The cluster's age recipient, which `seal --age` always seals to unless told otherwise:
 * `--no-cluster-recipient` (or `cluster_recipient: false` in `.sealbridge.yaml`) leaves it out,
 * `--cluster-recipient age1…` (or `cluster_recipient: age1…`) gives it offline, and otherwise it
 * is fetched from the controller's `GET /v1/age-recipient` through the API server's service
 * proxy, the way the sealing certificate is.
 */
import { InputError, RemoteError } from "../errors.js";
import type { ControllerRef } from "./controller-proxy.js";

/** Where the cluster's recipient comes from, for one file. */
export type ClusterRecipientSource =
  | { kind: "none" }
  | { kind: "given"; recipient: string; origin: string }
  | { kind: "controller"; controller: ControllerRef };

/** What to do without a cluster, for messages. */
const CLUSTER_RECIPIENT_OFFLINE_HINT = "pass --cluster-recipient age1…, or --no-cluster-recipient to seal only to --recipient";

/**
 * Decides the source: a flag first (`false` = `--no-cluster-recipient`), then the rule's
 * `cluster_recipient`, else the controller.
 */
export function clusterRecipientSource(
  flag: string | false | undefined,
  rule: { clusterRecipient?: string | false | undefined; origin: string } | null,
  controller: ControllerRef,
): ClusterRecipientSource {
  if (flag === false) return { kind: "none" };
  if (flag !== undefined) return { kind: "given", recipient: flag, origin: "--cluster-recipient" };
  if (rule?.clusterRecipient === false) return { kind: "none" };
  if (rule?.clusterRecipient !== undefined) return { kind: "given", recipient: rule.clusterRecipient, origin: `${rule.origin} cluster_recipient` };
  return { kind: "controller", controller };
}

/**
 * Fetches and checks the recipient the controller serves at `/v1/age-recipient`.
 * @throws RemoteError when the controller cannot be reached, has no age identity yet (503), or
 *   serves something that is not an age recipient.
 */
export async function fetchClusterRecipient(ref: ControllerRef): Promise<string> {
  const [{ connectControllerProxy }, { parseRecipient }] = await Promise.all([import("./controller-proxy.js"), import("../crypto/age-keys.js")]);
  const proxy = await connectControllerProxy({ ...ref, offlineHint: CLUSTER_RECIPIENT_OFFLINE_HINT }, "cannot fetch the cluster's age recipient");
  const answer = await proxy.request("GET", "/v1/age-recipient");
  const where = `service ${ref.namespace}/${ref.name}`;
  if (answer.status !== 200) {
    throw new RemoteError(`cannot fetch the cluster's age recipient: ${where} answered HTTP ${answer.status} (check the controller, or ${CLUSTER_RECIPIENT_OFFLINE_HINT})`, {
      status: answer.status,
      code: "ClusterRecipientUnavailable",
    });
  }
  try {
    return parseRecipient(answer.body.toString("utf8"), `the age recipient of ${where}`);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new RemoteError(`cannot use the cluster's age recipient: ${where} served something that is not an age recipient (check it is a sealbridge controller, or ${CLUSTER_RECIPIENT_OFFLINE_HINT})`, {
      cause: err,
      code: "ClusterRecipientInvalid",
    });
  }
}
