/** Neutron port inputs. */

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
