import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const POLICY_DIR = path.resolve(__dirname, "..", "..", "policy");

describe("policy pack entry point", function () {
  this.timeout(40000);

  it("constructs the PolicyPack in a child process, which serves and prints its port", async () => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
      cwd: POLICY_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(() => reject(new Error(`no port within 30 s; stderr: ${stderr}`)), 30000);
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          const m = /^(\d+)\s*$/m.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`the pack exited (code ${String(code)}) before serving; stderr: ${stderr}`));
        });
      });
      assert.ok(port > 0 && port < 65536, `port ${port}`);
    } finally {
      child.kill();
    }
  });

  it("is a nodejs policy project with a versioned package.json and no dependencies of its own", () => {
    const project = parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.strictEqual(project["runtime"], "nodejs");
    assert.ok(typeof project["description"] === "string" && project["description"] !== "");
    const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.strictEqual(pkg["name"], "xcluster-policy");
    assert.match(String(pkg["version"]), /^\d+\.\d+\.\d+$/);
    assert.strictEqual(pkg["private"], true);
    assert.strictEqual(pkg["dependencies"], undefined);
  });
});
