/**
 * Records which resource each resource was registered under, by name: the mocks see types, names and
 * inputs but not parents, so a stack transformation (which runs in-process, also under mocks) captures
 * them. Call `recordParents()` inside the program, before creating resources.
 */
import * as pulumi from "@pulumi/pulumi";

export interface ParentRecord {
  readonly type: string;
  readonly name: string;
  /** Name of the parent, or undefined for resources directly under the stack. */
  readonly parent: string | undefined;
}

export function recordParents(): ParentRecord[] {
  const seen: {
    resource: pulumi.Resource;
    type: string;
    name: string;
    parent: pulumi.Resource | undefined;
  }[] = [];
  const records: ParentRecord[] = [];
  pulumi.runtime.registerStackTransformation((args) => {
    const entry = { resource: args.resource, type: args.type, name: args.name, parent: args.opts.parent };
    seen.push(entry);
    const parent = entry.parent ? seen.find((s) => s.resource === entry.parent)?.name : undefined;
    records.push({ type: args.type, name: args.name, parent });
    return undefined;
  });
  return records;
}

/** Pulumi's marker for a secret value in serialised inputs (what the mocks record). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** True when a recorded input was registered as a secret. */
export function isRecordedSecret(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE
  );
}

/** The plain value of a recorded input, secret or not. */
export function recordedValue(value: unknown): unknown {
  return isRecordedSecret(value) ? (value as { value: unknown }).value : value;
}
