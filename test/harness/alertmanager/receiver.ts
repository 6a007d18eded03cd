/**
 * An Alertmanager-compatible receiver on loopback, for the demo and tests that want to see alerts
 * arrive: `POST /api/v2/alerts` takes a `postableAlerts` body, checked against Alertmanager's v2
 * OpenAPI spec (test/fixtures/alertmanager/openapi-v2.yaml; a body that does not conform gets
 * 400 with the problems, as Alertmanager refuses it); `GET /api/v2/alerts` lists the active
 * alerts as `gettableAlerts`; `GET /-/healthy` and `/-/ready` answer 200. As in Alertmanager, an
 * alert is keyed by its label set and is resolved once its `endsAt` has passed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { schemaProblems, type SchemaNode } from "../../support/openapi-check.js";

const spec = parseYaml(readFileSync(new URL("../../fixtures/alertmanager/openapi-v2.yaml", import.meta.url), "utf8")) as {
  definitions: Record<string, SchemaNode>;
};
const POSTABLE: SchemaNode = { $ref: "#/definitions/postableAlerts" };
const GETTABLE: SchemaNode = { $ref: "#/definitions/gettableAlerts" };

/** One alert as last posted (Alertmanager's postableAlert), with when it arrived. */
export interface ReceivedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  /** When this version arrived. */
  updatedAt: Date;
  fingerprint: string;
}

/** A running receiver. */
export interface AlertReceiver {
  /** `http://127.0.0.1:PORT` (what `--alert-sink alertmanager=URL` or `spec.alertSinks` takes). */
  url: string;
  /** Every accepted POST body, in order. */
  posts(): ReceivedAlert[][];
  /** The problems of every refused POST body, in order. */
  refused(): string[];
  /** The latest version of every alert seen, active or resolved. */
  alerts(): ReceivedAlert[];
  /** Whether `alert` is resolved at `now` (its endsAt has passed). */
  isResolved(alert: ReceivedAlert, now?: Date): boolean;
  close(): Promise<void>;
}

/** Alertmanager's fingerprint is a hash of the sorted label set; this one is stable the same way. */
function fingerprintOf(labels: Record<string, string>): string {
  const sorted = Object.keys(labels).sort().map((k) => [k, labels[k]]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (text += chunk));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

/** The gettable form of an active alert (what Alertmanager's GET /api/v2/alerts answers). */
function gettable(a: ReceivedAlert): Record<string, unknown> {
  return {
    labels: a.labels,
    annotations: a.annotations,
    ...(a.generatorURL !== undefined ? { generatorURL: a.generatorURL } : {}),
    receivers: [{ name: "demo" }],
    fingerprint: a.fingerprint,
    startsAt: a.startsAt ?? a.updatedAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    endsAt: a.endsAt ?? new Date(a.updatedAt.getTime() + 5 * 60_000).toISOString(),
    status: { state: "active", silencedBy: [], inhibitedBy: [], mutedBy: [] },
  };
}

/**
 * Starts the receiver on 127.0.0.1 at a free port.
 * @throws Error when no port can be bound.
 */
export async function startAlertReceiver(): Promise<AlertReceiver> {
  const posts: ReceivedAlert[][] = [];
  const refused: string[] = [];
  const latest = new Map<string, ReceivedAlert>();
  const isResolved = (a: ReceivedAlert, now = new Date()): boolean => a.endsAt !== undefined && new Date(a.endsAt).getTime() <= now.getTime();
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/-/healthy" || path === "/-/ready")) {
      res.writeHead(200).end("OK");
      return;
    }
    if (path !== "/api/v2/alerts") {
      reply(res, 404, `no route ${req.method ?? ""} ${path ?? ""}`);
      return;
    }
    if (req.method === "GET") {
      const active = [...latest.values()].filter((a) => !isResolved(a)).map(gettable);
      const problems = schemaProblems(active, GETTABLE, spec.definitions);
      reply(res, problems.length === 0 ? 200 : 500, problems.length === 0 ? active : problems.join("; "));
      return;
    }
    if (req.method !== "POST") {
      reply(res, 405, `method ${req.method ?? ""} not allowed`);
      return;
    }
    readBody(req).then(
      (text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          refused.push("body: not JSON");
          reply(res, 400, "body: not JSON");
          return;
        }
        const problems = schemaProblems(body, POSTABLE, spec.definitions);
        if (problems.length > 0) {
          refused.push(problems.join("; "));
          reply(res, 400, problems.join("; "));
          return;
        }
        const now = new Date();
        const batch = (body as Array<Omit<ReceivedAlert, "updatedAt" | "fingerprint">>).map((a) => ({
          labels: a.labels,
          annotations: a.annotations ?? {},
          ...(a.startsAt !== undefined ? { startsAt: a.startsAt } : {}),
          ...(a.endsAt !== undefined ? { endsAt: a.endsAt } : {}),
          ...(a.generatorURL !== undefined ? { generatorURL: a.generatorURL } : {}),
          updatedAt: now,
          fingerprint: fingerprintOf(a.labels),
        }));
        posts.push(batch);
        for (const a of batch) latest.set(a.fingerprint, a);
        res.writeHead(200).end();
      },
      () => reply(res, 500, "cannot read the body"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    posts: () => posts.map((b) => [...b]),
    refused: () => [...refused],
    alerts: () => [...latest.values()],
    isResolved,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
