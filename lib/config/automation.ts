// The identity the reach-back automation runs as (seed 000, "Provision Access for B2B Reach-Back
// Automation"): an app registration in the source tenant that signs in with a certificate, and
// an on-premises service account with write rights on exactly six attributes.
import { z } from "zod";
import { EXCHANGE_ATTRIBUTES } from "../directory/types";

/** Microsoft Graph application permissions the automation needs, and nothing more (seed 000). */
export const AUTOMATION_GRAPH_PERMISSIONS = ["User.Invite.All", "User.ReadWrite.All"] as const;

/** The attributes the automation writes on users (seed 000, on-premises delegation): the directory
 * client's Exchange attributes. */
export const DELEGATED_USER_ATTRIBUTES = EXCHANGE_ATTRIBUTES;

const upn = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: "must be an address such as canary@contoso.com" });
/** A DN of an OU, container or domain. */
export const distinguishedName = z.string().regex(/^(?:OU|CN|DC)=[^,]+(?:,\s*(?:OU|CN|DC)=[^,]+)*$/i, {
  error: "must be a distinguished name such as OU=Users,DC=corp,DC=contoso,DC=com",
});

export const automationConfigSchema = z
  .strictObject({
    /** Display name of the app registration created in the source tenant. */
    displayName: z.string().min(1).max(120).default("B2B Reach-Back Automation"),
    /** The automation's certificates: public certificate files (PEM or DER, relative to the
     * project directory). List the old and the new one while rotating; the private key stays
     * with the automation and must not be in these files. */
    certificates: z
      .array(z.string().min(1))
      .min(1, { error: "give at least one certificate file (public key only)" })
      .max(4),
    /** The on-premises service account the automation binds to AD as. */
    serviceAccount: z
      .strictObject({
        /** svc-reachback@corp.contoso.com, CORP\\svc-reachback or svc-reachback. */
        name: z.string().min(1),
        /** Only `coex verify-access` uses it; keep it a secret (pulumi config set --secret --path). */
        password: z.string().min(1).optional(),
      })
      .optional(),
    /** The OUs holding the users in scope of B2B reach-back: the service account may write the six
     * attributes on user objects below them, and nothing else. */
    userOus: z.array(distinguishedName).default([]),
    /** For `coex verify-access` (seed 000's test "Verify Automation Access"). */
    verify: z
      .strictObject({
        /** The automation's private key and certificate (PEM), read only by coex verify-access. */
        credentialPath: z.string().min(1).optional(),
        /** A test user synced from AD, in one of userOus: joins and leaves each license group and
         * has each of the six attributes written and restored. */
        canaryUserPrincipalName: upn.optional(),
        /** An external address invited (without a message) to prove the invitation API answers;
         * the guest it creates is deleted again. */
        inviteEmailAddress: upn.optional(),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.serviceAccount && c.userOus.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["userOus"],
        message: "name the OUs whose users the service account may change (at least one)",
      });
    }
    const lower = c.userOus.map((d) => d.toLowerCase().replace(/,\s+/g, ","));
    lower.forEach((d, i) => {
      const parent = lower.find((o, j) => j !== i && (d === o || d.endsWith(`,${o}`)));
      if (parent) {
        ctx.addIssue({
          code: "custom",
          path: ["userOus", i],
          message: `${c.userOus[i]} is ${d === parent ? "listed twice" : "inside another listed OU"}; list each OU once and not its children`,
        });
      }
    });
  });
export type AutomationConfig = z.output<typeof automationConfigSchema>;
