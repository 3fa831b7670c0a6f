/**
 * A stand-in resource provider plugin for the real engine: it speaks the provider protocol for a package
 * (`openstack`, `kubernetes`, `aws`, `vault`, `rancher2`) and answers with the plan mocks' clearly fake
 * values (`fake-…` IDs, documentation addresses). It creates nothing anywhere: `xcluster <command> --local`
 * runs the lifecycle on it (fleet/local/simulation.ts), and the engine tests use it where the real plugins
 * cannot be built or downloaded (test/engine/stand-in/).
 *
 * What it is not: a provider. It validates nothing; its `diff` asks for a replacement where the real
 * provider would (replacements.ts), so that the engine plans what it would plan on a cloud.
 *
 * Run as a plugin: `node stand-in-provider.js <package> <version> <engine address>` (the wrapper scripts
 * `writeStandInPlugins` writes).
 */
import * as pulumi from "@pulumi/pulumi";
import { defaultInvokes, synthesiseOutputs, UnmockedCallError, FAKE } from "../../plan/mocks";
import { replacingChanges } from "./replacements";

/** `urn:pulumi:stack::project::qualified$type::name` → [type, name]. */
export function typeAndName(urn: string): [string, string] {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return [qualified.split("$").pop() ?? qualified, parts[3] ?? ""];
}

class EmptyComponent extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.registerOutputs({});
  }
}

/** The stand-in provider of one package at `version` (the version the program's SDK asks the engine for). */
export function standInProvider(version: string): pulumi.provider.Provider {
  return {
    version,
    async check(_urn, _olds, news) {
      return { inputs: news };
    },
    async diff(_id, urn, olds, news) {
      // Replacements as the real provider decides them (replacements.ts), so that the engine plans them.
      const [type, name] = typeAndName(urn);
      const replaces = replacingChanges(type, olds, news);
      // Inputs only, as a provider diffs: the outputs create invented are in `olds` but never in `news`.
      const outputsOnly = new Set(Object.keys(synthesiseOutputs(type, name, olds)));
      const keys = new Set([...Object.keys(news), ...Object.keys(olds).filter((k) => !outputsOnly.has(k))]);
      const changed = [...keys].some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
      return {
        changes: changed,
        ...(replaces.length > 0 ? { replaces, deleteBeforeReplace: true } : {}),
      };
    },
    async create(urn, inputs) {
      const [type, name] = typeAndName(urn);
      return { id: `${FAKE}-${name}`, outs: { ...inputs, ...synthesiseOutputs(type, name, inputs) } };
    },
    async read(id, _urn, props) {
      return { id, props };
    },
    async update(_id, urn, _olds, news) {
      const [type, name] = typeAndName(urn);
      return { outs: { ...news, ...synthesiseOutputs(type, name, news) } };
    },
    async delete() {
      return;
    },
    // Remote components (kubernetes:yaml/v2:ConfigGroup): an empty component, as if the manifests held
    // nothing; the real provider would read them and register their objects as children.
    async construct(name, type, _inputs, options) {
      const component = new EmptyComponent(type, name, options);
      return { urn: component.urn, state: {} };
    },
    async invoke(token, inputs) {
      const outputs = defaultInvokes(token, inputs as Record<string, unknown>);
      if (outputs === undefined) throw new UnmockedCallError(token);
      return { outputs };
    },
  };
}

/** Serves the provider to the engine: `<package> <version> [engine address…]` from the command line. */
export function serveStandIn(argv: readonly string[]): void {
  const [pkg, version, ...engineArgs] = argv;
  if (pkg === undefined || version === undefined) {
    process.stderr.write("usage: stand-in-provider <package> <version> [engine address]\n");
    process.exit(2);
  }
  void pulumi.provider.main(standInProvider(version), engineArgs);
}

if (require.main === module) serveStandIn(process.argv.slice(2));
