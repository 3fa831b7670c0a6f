/** Identity of the pack, shared by the entry point and the offline evaluator. */
import * as pkg from "./package.json";

export const PACK_NAME = "xcluster";
/** The version the engine reports (`policy/package.json`). */
export const PACK_VERSION: string = pkg.version;
/** Enforcement of a rule that states none (every rule here states one). */
export const PACK_ENFORCEMENT = "mandatory" as const;
