/**
 * The environment's policy sections: what the platform team approves (`approved`) and how the policy
 * pack is enforced (`policy`: level, named exceptions, the admin-range ceiling). Kept apart from
 * `schema.ts` so that the rules' inputs have one home; `schema.ts` only plugs these in.
 *
 * The approved lists are the platform team's, written in the environment: a cluster document can never
 * add to them, so a cluster that overrides an image, flavor or chart repository cannot approve itself.
 */
import { z } from "zod";

const imageId = z
  .string()
  .regex(/^[0-9a-fA-F-]{8,64}$/, "must be a Glance image ID (names can be re-pointed)");

/** An ISO calendar date (`2026-03-31`). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: "must be a calendar date that exists",
    },
  );

export const approvedSection = z
  .strictObject({
    images: z
      .array(imageId)
      .optional()
      .describe(
        "Glance image IDs clusters may boot. Default: the IDs of this environment's `images` section.",
      ),
    flavors: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Nova flavors (glob *) clusters may use. Default: the flavors of this environment's `flavors` section.",
      ),
    chartRepositories: z
      .array(z.string().regex(/^(https|oci):\/\/\S+$/, "must be an https:// or oci:// URL"))
      .optional()
      .describe(
        "Helm chart repositories (URL prefixes) add-ons may come from. Default: the vendors' official repositories the pack lists.",
      ),
    registries: z
      .array(
        z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "must be a registry host name, optionally with :port"),
      )
      .optional()
      .describe(
        "Container registries (host[:port]) images in add-on values may name. Default: none listed, unchecked.",
      ),
  })
  .describe("What the platform team approves; cluster documents cannot add to these lists.");

export const policyException = z.strictObject({
  rule: z.string().min(1).describe("Name of the policy rule (as in the README rule table)."),
  reason: z.string().min(10).describe("Why the rule only advises here; shown in every plan report."),
  expires: isoDate.describe("Last day the exception holds (YYYY-MM-DD); after it, a violation."),
});

export const policySection = z
  .strictObject({
    enforcement: z.enum(["mandatory", "advisory"]).optional().describe("Default: mandatory."),
    exceptions: z
      .array(policyException)
      .optional()
      .describe(
        "Rules that only advise in this environment, each with a reason and an expiry date. In production, every high or critical rule is mandatory unless listed here.",
      ),
    adminAddressCeiling: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "Most public IPv4 addresses the admin ranges may open together (overlaps counted once; private ranges apart). Default: 1024 in production, 65536 elsewhere.",
      ),
  })
  .describe("How the policy pack is enforced in this environment.");

export type ApprovedInput = z.infer<typeof approvedSection>;
export type PolicySectionInput = z.infer<typeof policySection>;

/** A named, dated exception: the rule only advises until `expires` (inclusive). */
export interface PolicyException {
  readonly rule: string;
  readonly reason: string;
  /** YYYY-MM-DD. */
  readonly expires: string;
}

/** The environment's approved lists and policy settings, resolved. */
export interface PolicySettings {
  readonly approved: {
    readonly images: readonly string[];
    readonly flavors: readonly string[];
    /** Undefined: the pack's default repositories. */
    readonly chartRepositories?: readonly string[];
    /** Empty: unchecked. */
    readonly registries: readonly string[];
  };
  readonly exceptions: readonly PolicyException[];
  readonly adminAddressCeiling: number;
}

/** The production admin-range ceiling: four /24s. */
export const PRODUCTION_ADMIN_ADDRESS_CEILING = 1024;
/** Elsewhere: one /16. */
export const DEFAULT_ADMIN_ADDRESS_CEILING = 65536;

const sortedUnique = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

/** The policy settings of an environment; only the environment is read, never a cluster document. */
export function resolvePolicySettings(env: {
  readonly production: boolean;
  readonly images: Readonly<Record<string, string | undefined>>;
  readonly flavors: Readonly<Record<string, string | undefined>>;
  readonly approved?: ApprovedInput | undefined;
  readonly policy?: PolicySectionInput | undefined;
}): PolicySettings {
  const a = env.approved;
  const values = (r: Readonly<Record<string, string | undefined>>) =>
    Object.values(r).filter((v): v is string => typeof v === "string" && v !== "");
  return {
    approved: {
      images: sortedUnique(a?.images ?? values(env.images)),
      flavors: sortedUnique(a?.flavors ?? values(env.flavors)),
      ...(a?.chartRepositories !== undefined ? { chartRepositories: [...a.chartRepositories] } : {}),
      registries: [...(a?.registries ?? [])],
    },
    exceptions: (env.policy?.exceptions ?? []).map((x) => ({ ...x })),
    adminAddressCeiling:
      env.policy?.adminAddressCeiling ??
      (env.production ? PRODUCTION_ADMIN_ADDRESS_CEILING : DEFAULT_ADMIN_ADDRESS_CEILING),
  };
}
