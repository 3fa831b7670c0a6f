/** Test helpers for running components and programs under Pulumi's mock runtime. */
import * as pulumi from "@pulumi/pulumi";
import { RecordingMocks, RecordedResource, waitForRegistrations } from "../../plan/mocks";

/** Resolves an Output (or plain value) in a test. Only for use under mocks (preview=false). */
export function unwrap<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}

export interface MockRun<T> {
  readonly result: T;
  readonly resources: RecordedResource[];
  readonly mocks: RecordingMocks;
}

/**
 * Runs `fn` as a stack under fresh mocks and returns what it returned (with Outputs resolved for a
 * record of plain values) plus every resource it registered.
 */
export async function runUnderMocks<T>(fn: () => T, mocks = new RecordingMocks()): Promise<MockRun<T>> {
  await pulumi.runtime.setMocks(mocks, "xcluster", "test", false);
  let result: T | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    result = fn();
    return {};
  });
  await waitForRegistrations();
  return { result: result as T, resources: mocks.resources, mocks };
}

/** Resources of one type token. */
export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}
