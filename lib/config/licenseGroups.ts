// The license-group mapping in the stack configuration: one entry per existing license group of
// the source tenant and the reach-back group that stands beside it (seed 000, "Identify Service
// Plans and Create License Groups for B2B Reach-Back"). `coex discover` writes it; people review
// and commit it; the stack applies it.
import { z } from "zod";
import { tenantIdSchema } from "../crossTenantAccess/settings";

const planId = tenantIdSchema;

export const mappedLicenseSchema = z.strictObject({
  skuId: tenantIdSchema,
  /** For people reading the configuration; not sent to Graph. */
  skuPartNumber: z.string().optional(),
  /** Plans the original group already disables: kept disabled. */
  originalDisabledPlans: z.array(planId).default([]),
  /** Plans that trigger proxy scrubbing (seed 000's list, Exchange plans, forceDisable): disabled too. */
  scrubbingPlans: z.array(planId).default([]),
});
export type MappedLicense = z.output<typeof mappedLicenseSchema>;

/** A mapping `coex discover` no longer proposes: its original group is gone, assigns no license,
 * or no longer needs a reach-back group. The mapping, and so its ReachBackLicenseGroup, is kept
 * (members of the reach-back group keep their licenses); only `coex discover --write
 * --prune-stale`, run after the mark was reviewed, removes it. */
export const staleMarkSchema = z.strictObject({
  /** The day discover first missed the group (YYYY-MM-DD); kept by later runs. */
  since: z.iso.date({ error: "must be a date such as 2025-01-31" }),
  /** Why, as discover last saw it. */
  reason: z.string().min(1),
});
export type StaleMark = z.output<typeof staleMarkSchema>;

export const licenseGroupMappingSchema = z
  .strictObject({
    originalGroupId: tenantIdSchema,
    originalGroupName: z.string().min(1),
    /** "cloud": the reach-back group is created here. "onPremises": the original is synced from
     * AD, so its reach-back group is created in AD by the identity team and adopted here by name. */
    source: z.enum(["cloud", "onPremises"]),
    reachBackGroupName: z.string().min(1).max(256),
    licenses: z.array(mappedLicenseSchema).min(1, { error: "a license group assigns at least one SKU" }),
    /** Set by `coex discover`, never needed by hand: see staleMarkSchema. */
    stale: staleMarkSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.reachBackGroupName.toLowerCase() === m.originalGroupName.toLowerCase()) {
      ctx.addIssue({
        code: "custom",
        path: ["reachBackGroupName"],
        message: `must differ from the original group's name ${m.originalGroupName}`,
      });
    }
    const skus = m.licenses.map((l) => l.skuId);
    if (new Set(skus).size !== skus.length) {
      ctx.addIssue({ code: "custom", path: ["licenses"], message: "lists a SKU twice" });
    }
  });
export type LicenseGroupMapping = z.output<typeof licenseGroupMappingSchema>;

export const licenseGroupsConfigSchema = z
  .strictObject({
    /** Name of a created cloud reach-back group; {name} is the original group's name. */
    namePattern: z
      .string()
      .refine((p) => p.includes("{name}"), { error: "must contain {name}" })
      .default("{name}-ReachBack"),
    /** Plan ids or names to disable although the catalogue does not list them, or never to disable. */
    forceDisable: z.array(z.string().min(1)).default([]),
    neverDisable: z.array(z.string().min(1)).default([]),
    mappings: z.array(licenseGroupMappingSchema).default([]),
    /** For `coex verify-license-groups` (seed 000's test "Verify License Groups Do Not Trigger
     * Proxy Scrubbing"): a mail user synced from AD, converted from a remote mailbox, with no
     * Exchange plan of its own. */
    canary: z
      .strictObject({
        userPrincipalName: z
          .string()
          .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: "must be a UPN such as canary@contoso.com" }),
        /** The unverified-domain address set as primary SMTP during the test (default:
         * <UPN prefix>@<target tenant's domain>). */
        testAddress: z.string().optional(),
        /** How long to wait for Entra Connect to sync a change (its default cycle is 30 minutes). */
        syncTimeoutSeconds: z.number().int().positive().default(2700),
        /** How long to wait for group-based licensing to process a membership change. */
        licenseTimeoutSeconds: z.number().int().positive().default(900),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.mappings.forEach((m, i) => {
      for (const key of [`id:${m.originalGroupId}`, `name:${m.reachBackGroupName.toLowerCase()}`]) {
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["mappings", i],
            message: `repeats mappings[${first}]'s ${key.startsWith("id") ? "original group" : "reach-back group name"}`,
          });
        }
        seen.set(key, i);
      }
    });
  });
export type LicenseGroupsConfig = z.output<typeof licenseGroupsConfigSchema>;

/** What the reach-back group disables for a SKU: what the original did, plus the scrubbing plans. */
export function reachBackDisabledPlans(l: MappedLicense): string[] {
  return [...new Set([...l.originalDisabledPlans, ...l.scrubbingPlans].map((p) => p.toLowerCase()))].sort();
}
