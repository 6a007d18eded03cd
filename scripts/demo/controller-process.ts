/**
 * The `sealbridge controller` process the demo runs against the test API server: started on
 * free loopback ports, its Service routed to it through the API server's proxy, ready when
 * /readyz answers 200; it can be stopped and started again (the doctor step takes it away).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { DemoSession } from "./session.js";

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The controller process. */
export class ControllerProcess {
  #child: ChildProcess | undefined;
  #log = "";

  private constructor(
    private readonly demo: DemoSession,
    readonly httpPort: number,
    readonly metricsPort: number,
  ) {}

  /** Picks its ports; call {@link start} to run it. */
  static async create(demo: DemoSession): Promise<ControllerProcess> {
    return new ControllerProcess(demo, await freePort(), await freePort());
  }

  /** `http://127.0.0.1:PORT` of its HTTP API. */
  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Everything it logged so far. */
  get log(): string {
    return this.#log;
  }

  /** Whether it is running. */
  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The command line as shown to the reader. */
  get commandLine(): string {
    return `sealbridge controller --namespace sealbridge --http-addr 127.0.0.1:${this.httpPort} --metrics-addr 127.0.0.1:${this.metricsPort} --leader-elect --resync-period 1m`;
  }

  /**
   * Starts it and waits until /readyz answers 200.
   * @throws DemoFailure when it does not get ready within 30 s.
   */
  async start(): Promise<void> {
    const args = ["controller", "--kubeconfig", this.demo.kubeconfig, "--namespace", "sealbridge", "--http-addr", `127.0.0.1:${this.httpPort}`, "--metrics-addr", `127.0.0.1:${this.metricsPort}`, "--leader-elect", "--resync-period", "1m"];
    const child = spawn(process.execPath, [this.demo.bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    child.stdout?.on("data", (d: Buffer) => (this.#log += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.#log += d.toString()));
    await this.demo.eventually(async () => {
      if (child.exitCode !== null) throw this.demo.fail(`the controller exited ${child.exitCode}: ${this.#log.trim().split("\n").slice(-3).join(" | ")}`);
      return (await fetch(`${this.url}/readyz`).catch(() => undefined))?.status === 200;
    }, "the controller to be ready");
  }

  /** Stops it (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
}
