// The repository stands on its own (issue 8): no tracked file but documentation names a path of
// one particular machine or a folder outside the repository, so a fresh clone anywhere passes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { REPO_ROOT } from "../support/repo-root.js";

/**
 * Absolute paths of a machine (a home folder, a workspace root) and relative escapes to a
 * sibling `shared` folder. Legitimate absolute paths (`/v1/cert.pem`, `/etc/…`, `/proc/…`,
 * `/var/run/secrets/…`, `/dev/stdin`, `/tmp/…` as test values) are not machine paths.
 * Built from parts so that this file does not match itself.
 */
const HOME_ROOTS = ["wo" + "rk", "ro" + "ot", "ho" + "me", "Us" + "ers"];
const MACHINE_PATH = new RegExp(`(?:^|[^A-Za-z0-9_.~-])/(?:${HOME_ROOTS.join("|")})(?:/|$|["'\`\\s])`, "m");
const OUTSIDE_REPO = new RegExp(`\\.\\./(?:\\.\\./)*${"sha" + "red"}\\b`);

/** Documentation may cite where things came from; everything else must not depend on it. */
function isDocumentation(file: string): boolean {
  return file.endsWith(".md");
}

function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 }).split("\0").filter((f) => f !== "");
}

/** The offending lines of `text`, as `file:line: text`. */
function offences(file: string, text: string): string[] {
  if (text.includes("\0")) return []; // binary
  const out: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (MACHINE_PATH.test(line) || OUTSIDE_REPO.test(line) || line.includes(REPO_ROOT)) out.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
  });
  return out;
}

describe("the repository stands on its own", () => {
  test("the detector flags machine paths and escapes to a sibling shared folder, not API paths or system files", () => {
    const flagged = [`"/${HOME_ROOTS[0]}/main/x.ts"`, `cd /${HOME_ROOTS[1]}/p`, `/${HOME_ROOTS[2]}/me/.kube`, `readFileSync("../../${"sha" + "red"}/v.json")`];
    for (const line of flagged) assert.ok(offences("f.ts", line).length === 1, line);
    const fine = ['get("/v1/cert.pem")', "COPY x /etc/ssl/", 'readFileSync("/proc/self/stat")', '"/var/run/secrets/kubernetes.io/serviceaccount/token"', "./work-queue.js", "KUBECONFIG=/tmp/a:/tmp/b", "~/.kube/config", "shared/reference/kubectl-requests.md §3", "/api/v1/namespaces/x/services/http:sealbridge:http/proxy"];
    for (const line of fine) assert.deepEqual(offences("f.ts", line), [], line);
  });

  test("no tracked file other than documentation names an absolute path outside the repository", () => {
    const found = trackedFiles()
      .filter((f) => !isDocumentation(f))
      .flatMap((f) => {
        let text: string;
        try {
          text = readFileSync(join(REPO_ROOT, f), "utf8");
        } catch {
          return []; // deleted in the work tree but still in the index
        }
        return offences(f, text);
      });
    assert.deepEqual(found, [], "derive paths from import.meta.url (fileURLToPath) and copy fixtures into test/fixtures/");
  });
});
