/**
 * A local webhook receiver for alert tests: records every request body it is sent, answers 200.
 */
import { createServer } from "node:http";

/** A running receiver: `url` to post to, `posted` bodies in arrival order. */
export interface WebhookRecorder {
  url: string;
  posted: string[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 (a free port); `path` is appended to its URL. */
export async function startWebhookRecorder(path = "/hook"): Promise<WebhookRecorder> {
  const posted: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      posted.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    posted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
