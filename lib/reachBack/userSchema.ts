// What a wave declares for one user (seed 000, "Develop B2B Reach-Back Automation"): the source
// user, the target identity's address, and the coexistence routing address. Validation and types
// in one; every message names what to write instead.
import { z } from "zod";
import { domainOf, isValidSmtpAddress } from "../addresses/proxyAddresses";
import { tenantIdSchema } from "../crossTenantAccess/settings";

const smtp = (what: string) =>
  z
    .string()
    .trim()
    .refine(isValidSmtpAddress, { error: `must be an SMTP address such as user@contoso.com (${what})` });

/** What a field the declaration leaves out means. */
export const reachBackUserDefaults = {
  mailboxMigration: "crossTenant",
  licenseGroupMapping: {},
  rollbackOnDelete: false,
} as const;

/** The declaration's fields, without the rules across fields (reachBackUserRules): a provider
 * extends them with what the program adds. */
export const reachBackUserFields = z.strictObject({
  /** The user in the source tenant, synced from AD (their UPN there). */
  sourceUserPrincipalName: z
    .string()
    .trim()
    .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: "must be a UPN such as adele.vance@fabrikam.com" }),
  /** The user's primary SMTP address in the target tenant: the B2B identity reached back with. */
  targetEmailAddress: smtp("the user's primary address in the target tenant"),
  /** The target tenant's routing address (…mail.onmicrosoft.com): targetAddress on-premises. */
  coexRoutingAddress: smtp("the target tenant's coexistence routing address"),
  /** How the mailbox moved: "crossTenant" (a mail user stays behind) or "thirdParty" (the
   * source mailbox was removed; seed 000, "Third-Party Mailbox Migration"). */
  mailboxMigration: z.enum(["crossTenant", "thirdParty"]).default(reachBackUserDefaults.mailboxMigration),
  /** Original license group id → reach-back group id (the coexistence stack's output). */
  licenseGroupMapping: z
    .record(tenantIdSchema, tenantIdSchema)
    .default(reachBackUserDefaults.licenseGroupMapping),
  /** On delete, put AD attributes and license groups back from the journal. Off by default:
   * deleting the resource leaves the user enabled, and never deletes the user. */
  rollbackOnDelete: z.boolean().default(reachBackUserDefaults.rollbackOnDelete),
});

/** The rules across fields: the three addresses' domains. */
export function reachBackUserRules(
  u: Pick<
    z.output<typeof reachBackUserFields>,
    "sourceUserPrincipalName" | "targetEmailAddress" | "coexRoutingAddress"
  >,
  ctx: z.RefinementCtx,
): void {
  // zod runs this even when a field failed: the field's own message says what is wrong then.
  const addresses = [u.sourceUserPrincipalName, u.targetEmailAddress, u.coexRoutingAddress];
  if (!addresses.every((a) => typeof a === "string" && /@[^@\s]+\.[^@\s]+$/.test(a.trim()))) return;
  if (domainOf(u.targetEmailAddress) === domainOf(u.coexRoutingAddress)) {
    ctx.addIssue({
      code: "custom",
      path: ["coexRoutingAddress"],
      message: `must be in the target tenant's routing domain (…mail.onmicrosoft.com), not the user's own domain ${domainOf(u.targetEmailAddress)}`,
    });
  }
  if (domainOf(u.sourceUserPrincipalName) === domainOf(u.targetEmailAddress)) {
    ctx.addIssue({
      code: "custom",
      path: ["targetEmailAddress"],
      message: `is in the source user's own domain ${domainOf(u.sourceUserPrincipalName)}: the target address must be in a domain the source tenant has not verified`,
    });
  }
}

export const reachBackUserSchema = reachBackUserFields.superRefine(reachBackUserRules);
export type ReachBackUserInput = z.input<typeof reachBackUserSchema>;
export type ReachBackUserSpec = z.output<typeof reachBackUserSchema>;

/** The steps of seed 000's procedure, in order; the journal and the resource's outputs name them. */
export const REACH_BACK_STEPS = [
  "preconditions",
  "journaled",
  "licensed",
  "addressSwapped",
  "synced",
  "invited",
  "reverted",
  "verified",
] as const;
export type ReachBackStep = (typeof REACH_BACK_STEPS)[number];
