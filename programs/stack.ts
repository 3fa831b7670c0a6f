/**
 * The entry of plain `pulumi up -s <environment>.<cluster>` (root `Pulumi.yaml`, `main: programs/stack.ts`):
 * the stack config `xcluster:spec` names the cluster spec file relative to the project root; it is loaded
 * and validated exactly as `xcluster` does (`loadFleet`, with its environment), and the same
 * `clusterProgram` builds the cluster. Its outputs become the stack outputs.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadFleet, formatIssue } from "../spec";
import type { ClusterSpec } from "../spec/types";
import { clusterProgram, type StackOutputs } from "./program";

/** Loads the one cluster the stack config names; every spec problem is reported at once. */
function specFromConfig(specFile: string, environment: string, root: string): ClusterSpec {
  const file = path.resolve(root, specFile);
  const fleet = loadFleet([file], { cwd: root, ...(environment !== "" ? { environment } : {}) });
  if (fleet.issues.length > 0) {
    throw new Error(`xcluster:spec ${specFile} is not valid:\n${fleet.issues.map(formatIssue).join("\n")}`);
  }
  const [spec, ...more] = fleet.clusters;
  if (spec === undefined || more.length > 0) {
    throw new Error(
      `xcluster:spec ${specFile} must name one cluster spec file${environment ? ` of environment ${environment}` : ""} ` +
        `(got ${fleet.clusters.length} cluster(s))`,
    );
  }
  return spec;
}

/** Run by the Pulumi engine (the module's export is a function: its result becomes the stack outputs). */
function main(): StackOutputs {
  const config = new pulumi.Config("xcluster");
  // The engine runs the program from the project directory; getRootDirectory() says so explicitly.
  const root = pulumi.runtime.getRootDirectory() || process.cwd();
  const spec = specFromConfig(config.require("spec"), config.get("environment") ?? "", root);
  const expected = `${spec.environment}.${spec.name}`;
  if (pulumi.getStack() !== expected) {
    pulumi.log.warn(
      `stack ${pulumi.getStack()} deploys ${spec.environment}/${spec.name}; xcluster names it ${expected}`,
    );
  }
  return clusterProgram(spec);
}

export = Object.assign(main, { specFromConfig });
