/** The stand-in's replacement table lives with the product's stand-in provider (fleet/local/). */
export { REPLACING_INPUTS, replacingChanges } from "../../../fleet/local/replacements";
