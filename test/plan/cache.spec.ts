/**
 * Tier: the real CLI in-process (`main`), planning the example fleet under Pulumi's mock runtime with the
 * real cluster program and policy pack, in a throwaway project directory (its own `.xcluster/plan-cache/`,
 * and for `--changed-since` its own git repository, made with the real git). Nothing is faked: a cached
 * plan is compared with a fresh plan of the same specs.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXIT } from "../../cli/exit-codes";
import { PLAN_CACHE_DIR, PlanCache, codeDigest, currentVersion } from "../../plan/cache";
import { planFleet } from "../../plan/fleet";
import { reportJson } from "../../plan/report";
import { loadFleet } from "../../spec";
import { EXAMPLE_FLEET } from "../support/spec-files";

const temps: string[] = [];

/** A project like a fresh clone's: `stacks/` is a copy of the example fleet (3 clusters, 2 environments). */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-cache-"));
  temps.push(dir);
  fs.cpSync(EXAMPLE_FLEET, path.join(dir, "stacks"), { recursive: true });
  return dir;
}

async function plan(dir: string, args: string[]) {
  const io = captureIo();
  const code = await main(["plan", "--serial", ...args], io, dir);
  const stdout = io.stdout.join("\n");
  assert.ok(code === EXIT.ok || code === EXIT.policy, `exit ${code}\n${stdout}\n${io.stderr.join("\n")}`);
  return { code, stdout, stderr: io.stderr.join("\n") };
}

/** The "N planned, M from cache" line. */
function cacheLine(stdout: string): string {
  return /^\d+ planned, \d+ from cache.*$/m.exec(stdout)?.[0] ?? "(no cache line)";
}

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), "utf8");
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const f = path.join(dir, file);
  const before = fs.readFileSync(f, "utf8");
  const after = change(before);
  assert.notEqual(after, before, `the edit changed ${file}`);
  fs.writeFileSync(f, after);
}

function entries(dir: string): string[] {
  const d = path.join(dir, PLAN_CACHE_DIR);
  return fs.existsSync(d) ? fs.readdirSync(d).map((f) => path.join(d, f)) : [];
}

/** The entry files the project's specs map to now, in spec order (older keys stay behind). */
function liveEntries(dir: string): string[] {
  const cache = new PlanCache(dir);
  return loadFleet([path.join(dir, "stacks")], { cwd: dir }).clusters.map((s) =>
    path.join(dir, PLAN_CACHE_DIR, `${cache.keyOf(s)}.json`),
  );
}

describe("plan cache (.xcluster/plan-cache/)", function () {
  this.timeout(300_000);
  after(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  describe("on one project, run after run", () => {
    let dir: string;
    before(() => {
      dir = project();
    });

    it("gives a cached plan byte-identical to a fresh one, JSON and Markdown", async () => {
      const fresh = await plan(dir, ["--no-cache", "--json", "fresh.json", "--markdown", "fresh.md"]);
      assert.equal(cacheLine(fresh.stdout), "(no cache line)");
      assert.deepEqual(entries(dir), [], "--no-cache writes nothing");
      const first = await plan(dir, ["--json", "first.json", "--markdown", "first.md"]);
      assert.equal(cacheLine(first.stdout), "3 planned, 0 from cache");
      assert.equal(entries(dir).length, 3);
      const cached = await plan(dir, ["--json", "cached.json", "--markdown", "cached.md"]);
      assert.equal(cacheLine(cached.stdout), "0 planned, 3 from cache");
      assert.equal(read(dir, "cached.json"), read(dir, "fresh.json"));
      assert.equal(read(dir, "cached.md"), read(dir, "fresh.md"));
      assert.equal(read(dir, "first.json"), read(dir, "fresh.json"));
      // The terminal shows the same clusters, resources and findings (the timing aside).
      const withoutTiming = (s: string) =>
        s
          .replace(/ in \d+\.\d s$/m, "")
          .split("\n")
          .filter((l) => l !== "" && !/from cache/.test(l))
          .join("\n");
      assert.equal(withoutTiming(cached.stdout), withoutTiming(fresh.stdout));
    });

    it("re-plans exactly the cluster whose spec changed", async () => {
      edit(dir, "stacks/prod/eo-data-services.yaml", (t) =>
        t.replace(/numberOfWorkers: (\d+)/, (_, n: string) => `numberOfWorkers: ${Number(n) + 1}`),
      );
      const run = await plan(dir, ["--json", "edited.json"]);
      assert.equal(cacheLine(run.stdout), "1 planned, 2 from cache");
      const fresh = await plan(dir, ["--no-cache", "--json", "edited-fresh.json"]);
      assert.equal(read(dir, "edited.json"), read(dir, "edited-fresh.json"));
      assert.notEqual(read(dir, "edited.json"), read(dir, "fresh.json"));
      assert.match(fresh.stdout, /3 cluster\(s\) planned/);
    });

    it("re-plans every cluster of an environment whose file changed, and only those", async () => {
      // Any byte counts, a comment included: the key hashes the file, not an interpretation of it.
      edit(dir, "stacks/prod/environment.yaml", (t) => `# reviewed\n${t}`);
      const run = await plan(dir, []);
      assert.equal(cacheLine(run.stdout), "2 planned, 1 from cache");
    });

    it("ignores a corrupted or truncated entry, plans the cluster again and rewrites the entry", async () => {
      const [first, second] = liveEntries(dir);
      fs.writeFileSync(first!, "{ not json");
      const text = fs.readFileSync(second!, "utf8");
      fs.writeFileSync(second!, text.slice(0, text.length / 2));
      const run = await plan(dir, ["--json", "after-corruption.json"]);
      assert.match(
        cacheLine(run.stdout),
        /^2 planned, 1 from cache \(2 damaged cache entries ignored and rewritten\)$/,
      );
      await plan(dir, ["--no-cache", "--json", "after-corruption-fresh.json"]);
      assert.equal(read(dir, "after-corruption.json"), read(dir, "after-corruption-fresh.json"));
      assert.equal(cacheLine((await plan(dir, [])).stdout), "0 planned, 3 from cache");
    });

    it("ignores an entry written for another cluster (a file renamed into the wrong key)", async () => {
      const files = liveEntries(dir);
      const a = fs.readFileSync(files[0]!, "utf8");
      fs.writeFileSync(files[1]!, a);
      assert.equal(
        cacheLine((await plan(dir, [])).stdout),
        "1 planned, 2 from cache (1 damaged cache entry ignored and rewritten)",
      );
    });
  });

  it("trusts no entry written by another xcluster version, other code or another lockfile", async () => {
    const dir = project();
    const specs = loadFleet([path.join(dir, "stacks", "dev")], { cwd: dir }).clusters;
    const version = currentVersion();
    const warm = new PlanCache(dir, version);
    await planFleet(specs, { serial: true, cache: warm });
    assert.deepEqual(warm.stats, { hits: 0, misses: 1, corrupt: 0 });
    const again = new PlanCache(dir, version);
    await planFleet(specs, { serial: true, cache: again });
    assert.deepEqual(again.stats, { hits: 1, misses: 0, corrupt: 0 });
    for (const changed of [
      { ...version, xcluster: "0.0.0-other" },
      { ...version, code: "0".repeat(64) },
      { ...version, lockfile: "0".repeat(64) },
    ]) {
      const other = new PlanCache(dir, changed);
      assert.equal(other.lookup(specs[0]!), undefined, JSON.stringify(changed));
      assert.deepEqual(other.stats, { hits: 0, misses: 1, corrupt: 0 });
    }
  });

  it("keys an entry on whether each policy exception has expired, so the day an exception expires re-plans", async () => {
    const dir = project();
    edit(dir, "stacks/dev/environment.yaml", (t) =>
      t.replace(
        /^  policy:\n/m,
        '  policy:\n    exceptions:\n      - rule: os-sg-001-sensitive-ports\n        reason: "migration in progress"\n        expires: "2030-01-31"\n',
      ),
    );
    const load = loadFleet([path.join(dir, "stacks", "dev")], { cwd: dir });
    assert.deepEqual(load.issues, []);
    const spec = load.clusters[0]!;
    const version = currentVersion();
    const key = (today: string) => new PlanCache(dir, version, today).keyOf(spec);
    assert.equal(key("2030-01-30"), key("2030-01-31"), "still current on its last day");
    assert.notEqual(key("2030-01-31"), key("2030-02-01"), "expired the day after");
  });

  it("deletes entries no plan used for 30 days, and keeps those a plan read since", async () => {
    const dir = project();
    const specs = loadFleet([path.join(dir, "stacks", "dev")], { cwd: dir }).clusters;
    await planFleet(specs, { serial: true, cache: new PlanCache(dir) });
    const [used] = entries(dir);
    const stale = path.join(dir, PLAN_CACHE_DIR, `${"0".repeat(64)}.json`);
    fs.copyFileSync(used!, stale);
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    for (const f of [used!, stale]) fs.utimesSync(f, longAgo, longAgo);
    const cache = new PlanCache(dir);
    assert.ok(cache.lookup(specs[0]!), "the used entry is read");
    cache.prune();
    assert.deepEqual(entries(dir), [used]);
  });

  it("digests the code: a changed byte in any code file changes the digest", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-code-"));
    temps.push(root);
    fs.mkdirSync(path.join(root, "components"));
    fs.writeFileSync(path.join(root, "components", "a.js"), "exports.a = 1;\n");
    const before = codeDigest(root);
    assert.equal(codeDigest(root), before, "stable");
    fs.writeFileSync(path.join(root, "components", "a.js"), "exports.a = 2;\n");
    assert.notEqual(codeDigest(root), before);
  });

  describe("--changed-since <git ref>", () => {
    let dir: string;
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@example.org",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@example.org",
        },
      });
    before(() => {
      dir = project();
      git("init", "-q", "-b", "main");
      git("add", "stacks");
      git("commit", "-q", "-m", "fleet");
      git("checkout", "-q", "-b", "change");
    });

    it("plans only the cluster whose spec a commit on the branch changed", async () => {
      edit(dir, "stacks/prod/ecmwf-ai-platform.yaml", (t) =>
        t.replace(/numberOfWorkers: 6/, "numberOfWorkers: 7"),
      );
      git("commit", "-q", "-am", "one more worker");
      const run = await plan(dir, ["--changed-since", "main", "--json", "changed.json"]);
      assert.match(run.stdout, /^1 of 3 cluster\(s\) affected by changes since main$/m);
      const report = JSON.parse(read(dir, "changed.json")) as { clusters: { name: string }[] };
      assert.deepEqual(
        report.clusters.map((c) => c.name),
        ["ecmwf-ai-platform"],
      );
    });

    it("plans every cluster of an environment whose file is changed, committed or not", async () => {
      edit(dir, "stacks/dev/environment.yaml", (t) => `# uncommitted\n${t}`);
      const run = await plan(dir, ["--changed-since", "main", "--json", "changed.json"]);
      assert.match(run.stdout, /^2 of 3 cluster\(s\) affected by changes since main$/m);
      const report = JSON.parse(read(dir, "changed.json")) as { clusters: { name: string }[] };
      assert.deepEqual(report.clusters.map((c) => c.name).sort(), ["ecmwf-ai-platform", "sandbox"]);
    });

    it("rejects an unknown git ref with exit 2, naming it", async () => {
      const io = captureIo();
      const code = await main(["plan", "--serial", "--changed-since", "no-such-branch"], io, dir);
      assert.equal(code, EXIT.invalid);
      assert.match(io.stderr.join("\n"), /--changed-since: unknown git ref "no-such-branch"/);
      assert.deepEqual(io.stdout, []);
    });

    it("rejects a ref that looks like an option instead of passing it to git", async () => {
      const io = captureIo();
      const code = await main(["plan", "--serial", "--changed-since=--output=x"], io, dir);
      assert.equal(code, EXIT.invalid);
      assert.match(io.stderr.join("\n"), /unknown git ref "--output=x"/);
      assert.equal(fs.existsSync(path.join(dir, "x")), false);
    });
  });

  it("reports what it wrote in the cache as a fresh plan would, whatever the worker count", async () => {
    const dir = project();
    const specs = loadFleet([path.join(dir, "stacks")], { cwd: dir }).clusters;
    const inWorkers = await planFleet(specs, { workers: 2, cache: new PlanCache(dir) });
    const fromCache = await planFleet(specs, { serial: true, cache: new PlanCache(dir) });
    assert.equal(reportJson(fromCache), reportJson(inWorkers));
  });
});
