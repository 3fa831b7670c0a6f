/**
 * Tier: pure functions — the engine events of one stack folded into the `[cluster]` progress lines. The
 * events are shaped as the automation API delivers them (test/fleet/harness.ts `events`, the same the fake
 * CLI streams), in the order the engine emits them for each kind of step.
 */
import { strict as assert } from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { progressLine } from "../../fleet/operation";
import { EngineTally } from "../../fleet/tally";
import { events } from "./harness";

const INSTANCE = "openstack:compute/instance:Instance";
const PORT = "openstack:networking/port:Port";
const STACK = "pulumi:pulumi:Stack";

function fold(list: Record<string, unknown>[]): { tally: EngineTally; lines: string[] } {
  const tally = new EngineTally();
  const lines: string[] = [];
  for (const e of list) if (tally.add(e as unknown as EngineEvent)) lines.push(progressLine("up", tally));
  return { tally, lines };
}

/** `(n/m done)` of every line. */
function counters(lines: readonly string[]): [number, number][] {
  return lines.map((l) => {
    const m = /\((\d+)\/(\d+) done/.exec(l);
    assert.ok(m, l);
    return [Number(m[1]), Number(m[2])];
  });
}

describe("progress counters of a stack's run", () => {
  it("count a replacement once, whatever steps the engine takes for it: never more done than steps", () => {
    // Delete-before-replace (the stand-in's and the OpenStack provider's instances), then a plain create,
    // and the engine's summary last.
    const { lines } = fold([
      events.pre("same", STACK, "xcluster-dev.a"),
      events.pre("delete-replaced", INSTANCE, "server-0"),
      events.outputs("delete-replaced", INSTANCE, "server-0"),
      events.pre("replace", INSTANCE, "server-0"),
      events.outputs("replace", INSTANCE, "server-0"),
      events.pre("create-replacement", INSTANCE, "server-0"),
      events.outputs("create-replacement", INSTANCE, "server-0"),
      events.pre("create", PORT, "server-1"),
      events.outputs("create", PORT, "server-1"),
      events.summary({ replace: 1, create: 1, same: 7 }),
    ]);
    for (const [done, steps] of counters(lines)) assert.ok(done <= steps, lines.join("\n"));
    assert.equal(lines.at(-1), "up: 1 create, 0 update, 1 replace, 0 delete (2/2 done)");
    assert.equal(lines[0], "up: 0 create, 0 update, 1 replace, 0 delete (0/1 done)");
  });

  it("count create-before-replace and a failed step the same way", () => {
    const { lines } = fold([
      events.pre("create-replacement", INSTANCE, "server-0"),
      events.outputs("create-replacement", INSTANCE, "server-0"),
      events.pre("replace", INSTANCE, "server-0"),
      events.pre("delete-replaced", INSTANCE, "server-0"),
      events.outputs("delete-replaced", INSTANCE, "server-0"),
      events.pre("update", PORT, "server-0"),
      {
        resOpFailedEvent: {
          metadata: { op: "update", urn: "u", type: PORT, provider: "" },
          status: 1,
          steps: 1,
        },
      },
    ]);
    for (const [done, steps] of counters(lines)) assert.ok(done <= steps, lines.join("\n"));
    assert.equal(lines.at(-1), "up: 0 create, 1 update, 1 replace, 0 delete (1/2 done, 1 failed)");
  });

  it("leave out default providers, as the engine's summary does", () => {
    const { lines } = fold([
      events.pre("create", "pulumi:providers:pulumi-nodejs", "default"),
      events.outputs("create", "pulumi:providers:pulumi-nodejs", "default"),
      events.pre("create", "pulumi:providers:openstack", "sandbox-openstack"),
      events.outputs("create", "pulumi:providers:openstack", "sandbox-openstack"),
      events.summary({ create: 1 }),
    ]);
    assert.equal(lines.at(-1), "up: 1 create, 0 update, 0 replace, 0 delete (1/1 done)");
  });

  it("ignore outputs of resources that changed nothing (same, read, refresh)", () => {
    const { tally } = fold([
      events.pre("same", PORT, "p"),
      events.outputs("same", PORT, "p"),
      events.pre("read", PORT, "image"),
      events.outputs("read", PORT, "image"),
      events.outputs("create", PORT, "never-announced"),
    ]);
    assert.equal(tally.steps, 0);
    assert.equal(tally.finished, 0);
  });
});
