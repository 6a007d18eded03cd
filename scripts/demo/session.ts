/**
 * The demo's session: its working directory and kubeconfig, the test environment and the
 * processes it started, and the small vocabulary every step speaks — a heading per step, each
 * command shown as `$ …`, an `ok:` line per verified fact, polling with a deadline (never a fixed
 * sleep). A failed check throws {@link DemoFailure}; the entry point prints it and exits 1.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { TestEnv } from "../../test/harness/testenv.js";
import type { KubeObject } from "../../src/kube/types.js";

/** A check of the demo failed; the message names the step and what was expected. */
export class DemoFailure extends Error {}

/** Options of {@link DemoSession.run}. */
export interface RunOptions {
  input?: string;
  allowFail?: boolean;
  /** Print the command as `$ …` (default true). */
  show?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** What a command did. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** "Kind namespace/name, …" of the objects in a YAML or JSON manifest stream (a List's items included). */
function describeManifests(text: string): string {
  const names: string[] = [];
  const add = (o: unknown): void => {
    if (typeof o !== "object" || o === null) return;
    const obj = o as { kind?: unknown; items?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    if (obj.kind === "List" && Array.isArray(obj.items)) return obj.items.forEach(add);
    const ns = typeof obj.metadata?.namespace === "string" ? `${obj.metadata.namespace}/` : "";
    names.push(`${String(obj.kind)} ${ns}${String(obj.metadata?.name)}`);
  };
  for (const doc of parseAllDocuments(text)) add(doc.toJS());
  return names.join(", ");
}

/** Something to stop at the end (a server, a process), last started first stopped. */
type Cleanup = () => Promise<void>;

/** The demo's state and vocabulary. */
export class DemoSession {
  readonly root = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
  readonly bin = join(this.root, "bin", "sealbridge");
  readonly dir = mkdtempSync(join(tmpdir(), "sealbridge-demo-"));
  readonly kubeconfig = join(this.dir, "kubeconfig");
  /** Lines `--keep` prints: how to reach what each step left running. */
  readonly keepNotes: string[] = [];
  /** Values that must appear in no log line, Event or output the demo shows. */
  readonly secrets: string[] = [];
  #env: TestEnv | undefined;
  #step = 0;
  #cleanups: Cleanup[] = [];
  readonly #baseEnv: NodeJS.ProcessEnv;

  constructor(processEnv: NodeJS.ProcessEnv) {
    // The user's Vault and Kubernetes settings must not leak into the demo's commands.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(processEnv)) if (!/^(VAULT|BAO)_/.test(k) && k !== "KUBECONFIG") env[k] = v;
    this.#baseEnv = { ...env, KUBECONFIG: this.kubeconfig, KUBECACHEDIR: join(this.dir, "kubecache"), HOME: this.dir };
  }

  /** The test environment (Kubernetes API and Vault test servers). */
  get env(): TestEnv {
    if (!this.#env) throw new DemoFailure("the test environment is not started");
    return this.#env;
  }

  set env(env: TestEnv) {
    this.#env = env;
  }

  /** The number of steps shown so far. */
  get steps(): number {
    return this.#step;
  }

  /** Starts a step: prints its heading. */
  say(title: string): void {
    this.#step += 1;
    process.stdout.write(`\n== ${this.#step}. ${title}\n`);
  }

  /** A line of narration for something done without a command (e.g. a server restarted). */
  note(text: string): void {
    process.stdout.write(`   (${text})\n`);
  }

  /** Prints a command that was run in-process, as `$ …`. */
  shown(command: string): void {
    process.stdout.write(`   $ ${command}\n`);
  }

  /** One verified fact. */
  ok(what: string): void {
    process.stdout.write(`   ok: ${what}\n`);
  }

  /** A failure of the current step. */
  fail(what: string): DemoFailure {
    return new DemoFailure(`step ${this.#step} failed: ${what}`);
  }

  /**
   * Verifies a fact and prints it.
   * @throws DemoFailure when `condition` is falsy.
   */
  check(condition: unknown, what: string): asserts condition {
    if (!condition) throw this.fail(what);
    this.ok(what);
  }

  /** Registers something to stop at the end. */
  onStop(cleanup: Cleanup): void {
    this.#cleanups.push(cleanup);
  }

  /** Stops everything registered, last first; errors are ignored (the demo is ending). */
  async stopAll(): Promise<void> {
    for (const cleanup of this.#cleanups.reverse()) await cleanup().catch(() => undefined);
    this.#cleanups = [];
  }

  /** A path shortened for display: the demo directory as `$DEMO`, the repository as `.`. */
  display(text: string): string {
    return text.split(this.bin).join("sealbridge").split(this.dir).join("$DEMO").split(`${this.root}/`).join("");
  }

  /**
   * Runs a command to completion (asynchronously: the test servers live in this process).
   * @throws DemoFailure when it exits non-zero (unless `allowFail`) or outlives its timeout.
   */
  async run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const shown = this.display([cmd === process.execPath ? "node" : cmd, ...args].map((a) => (/[\s'"]/.test(a) ? `'${a}'` : a)).join(" ")).replace(/^node sealbridge/, "sealbridge");
    if (opts.show !== false) this.shown(shown);
    const child = spawn(cmd, args, { env: { ...this.#baseEnv, ...opts.env }, stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    // A command may exit before reading all its input (EPIPE): its exit code tells what happened.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(opts.input);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    const code = await new Promise<number>((done) => {
      child.on("error", () => done(127));
      child.on("close", (c) => done(c ?? 1));
    });
    clearTimeout(timer);
    if (code !== 0 && !opts.allowFail) throw this.fail(`\`${shown}\` exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    return { code, stdout, stderr };
  }

  /** Runs this checkout's `sealbridge` CLI. */
  sealbridge(args: string[], opts?: RunOptions): Promise<RunResult> {
    return this.run(process.execPath, [this.bin, ...args], opts);
  }

  /** Runs the real `kubectl` against the test API server; `-f -` is shown with what it applies. */
  kubectl(args: string[], opts?: RunOptions): Promise<RunResult> {
    const stdin = args.includes("-") && opts?.input !== undefined ? `   # ${describeManifests(opts.input)}` : "";
    if (stdin === "" || opts?.show === false) return this.run("kubectl", args, opts);
    this.shown(`kubectl ${args.join(" ")}${stdin}`);
    return this.run("kubectl", args, { ...opts, show: false });
  }

  /**
   * Polls `probe` every 100 ms until it returns something truthy.
   * @throws DemoFailure naming `what` after `timeoutMs`.
   */
  async eventually<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() > deadline) throw this.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A Secret's value (decoded), or undefined when the Secret or key is not there. */
  async secretValue(namespace: string, name: string, key: string): Promise<string | undefined> {
    const got = await this.kubectl(["get", "secret", name, "-n", namespace, "-o", `jsonpath={.data.${key.replace(/\./g, "\\.")}}`], { allowFail: true, show: false });
    if (got.code !== 0 || got.stdout === "") return undefined;
    return Buffer.from(got.stdout, "base64").toString("utf8");
  }

  /**
   * An object as the test API server stores it, read in-process: what the polls use, so that
   * waiting spawns no process; the fact a step shows is then read back with kubectl.
   */
  stored(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.env.kube.objects(resource, namespace).find((o) => o.metadata.name === name);
  }

  /** A Secret's value (decoded) as the test API server stores it, read in-process. */
  storedSecret(namespace: string, name: string, key: string): string | undefined {
    const b64 = (this.stored("secrets", namespace, name)?.["data"] as Record<string, string> | undefined)?.[key];
    return b64 === undefined ? undefined : Buffer.from(b64, "base64").toString("utf8");
  }

  /** A field of an object by kubectl jsonpath, or "" when absent. */
  async field(kind: string, name: string, namespace: string, jsonpath: string): Promise<string> {
    const got = await this.kubectl(["get", kind, name, "-n", namespace, "-o", `jsonpath=${jsonpath}`], { allowFail: true, show: false });
    return got.code === 0 ? got.stdout : "";
  }

  /**
   * Calls the dev-mode Vault test server with its root token (setup the user would do with `vault`).
   * @throws DemoFailure when Vault answers an error.
   */
  async vault(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.env.vault.addr}/v1/${path}`, {
      method,
      headers: { "X-Vault-Token": this.env.vault.rootToken ?? "", "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw this.fail(`Vault ${method} ${path} answered ${res.status}`);
    return res.status === 204 ? undefined : await res.json();
  }
}
