/** Neutron port inputs. */
import type { PolicyResource } from "@pulumi/policy";
import { propertyOf, tryRead } from "./unknown";

/** The fixed IPs a port asks for (`fixedIps[].ipAddress`). */
export function fixedAddresses(props: Record<string, unknown>): string[] {
  const fixed = props["fixedIps"];
  if (!Array.isArray(fixed)) return [];
  const out: string[] = [];
  for (const f of fixed) {
    const ip = f !== null && typeof f === "object" ? (f as Record<string, unknown>)["ipAddress"] : undefined;
    if (typeof ip === "string" && ip !== "") out.push(ip);
  }
  return out;
}

/**
 * A stack rule's view of a port's fixed IPs: `unknown` when they are set but not known yet (an address
 * the program takes from another resource, absent from a first preview's outputs or CrossGuard's unknown).
 */
export function fixedAddressesOf(port: PolicyResource): string[] | "unknown" {
  const fixed = propertyOf(port, "fixedIps");
  if (fixed.state === "unknown") return "unknown";
  if (fixed.state === "absent") return [];
  const read = tryRead(() => fixedAddresses({ fixedIps: fixed.value }));
  return read === "unknown" ? "unknown" : read.value;
}
