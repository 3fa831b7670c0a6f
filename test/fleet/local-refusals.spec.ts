/**
 * Tier: the real CLI in-process (`main`), before any engine runs — `--local` refuses a real backend, and
 * says SIMULATION on every line. (The simulation itself runs on the real engine: test/engine/local-mode.spec.ts.)
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { simulationIo } from "../../fleet/local/simulation";
import { baseCluster, baseEnvironment } from "../support/spec-files";
import { FAKE_ROOT, FakeProject, named, withEnv } from "./harness";

describe("--local refuses a real backend", () => {
  let p: FakeProject;
  afterEach(() => p?.dispose());
  const files = (backend?: string) => ({
    "dev/environment.yaml": {
      ...baseEnvironment({ production: false, ...(backend ? { backend: { url: backend } } : {}) }),
      metadata: { name: "dev" },
    },
    "dev/a.yaml": named(baseCluster({ numberOfMasters: 1 }), "a"),
  });
  const cli = (args: string[], env: Record<string, string | undefined> = {}) => {
    const io = captureIo();
    return withEnv({ XCLUSTER_PULUMI_ROOT: FAKE_ROOT, PULUMI_BACKEND_URL: undefined, ...env }, async () => {
      const code = await main(args, io, p.root);
      return { code, lines: [...io.stdout, ...io.stderr].flatMap((t) => t.split("\n")) };
    });
  };

  for (const args of [
    ["up", "--local", "--env", "dev"],
    ["destroy", "--local", "--env", "dev", "--cluster", "a", "--yes"],
    ["outputs", "a", "--local", "--env", "dev"],
  ]) {
    it(`rejects \`${args.join(" ")}\` for an environment that names its backend (exit 2, nothing touched)`, async () => {
      p = new FakeProject({}, files("s3://platform-state/xcluster"));
      const r = await cli(args);
      assert.equal(r.code, 2, r.lines.join("\n"));
      assert.ok(
        r.lines.some((l) =>
          /--local: environment dev names the backend s3:\/\/platform-state\/xcluster; a simulation never runs against a real backend/.test(
            l,
          ),
        ),
        r.lines.join("\n"),
      );
      for (const line of r.lines) assert.match(line, /^SIMULATION /);
      assert.ok(!fs.existsSync(path.join(p.root, ".xcluster", "local-plugins")), "no stand-in written");
      assert.deepEqual(p.calls(), [], "the CLI was never run");
    });
  }

  it("rejects --local while PULUMI_BACKEND_URL points elsewhere (the CLI would prefer it)", async () => {
    p = new FakeProject({}, files());
    const r = await cli(["up", "--local", "--env", "dev"], { PULUMI_BACKEND_URL: "s3://elsewhere" });
    assert.equal(r.code, 2);
    assert.ok(
      r.lines.some((l) => /PULUMI_BACKEND_URL is set \(s3:\/\/elsewhere\)/.test(l)),
      r.lines.join("\n"),
    );
    assert.deepEqual(p.calls(), []);
  });

  it("marks every line of multi-line output, on stdout and stderr", () => {
    const io = captureIo();
    const sim = simulationIo(io);
    sim.out("┌─┐\n│x│");
    sim.err("problem");
    assert.deepEqual(io.stdout, ["SIMULATION ┌─┐\nSIMULATION │x│"]);
    assert.deepEqual(io.stderr, ["SIMULATION problem"]);
  });
});
