// How the per-user procedure (ReachBackUser) waits and what it asks for, in the stack
// configuration: `entra-coexistence:entraConnect` (asking Entra Connect for a delta cycle and
// waiting for it) and `entra-coexistence:reachBack` (the invitation and the license wait).
import { z } from "zod";
import { reachBackUserFields, reachBackUserRules } from "../reachBack/userSchema";

export const entraConnectConfigSchema = z.strictObject({
  /** A command, run with a shell, that asks Entra Connect for a delta cycle: e.g. PowerShell
   * remoting to `Start-ADSyncSyncCycle -PolicyType Delta` on the Connect server. Without it the
   * procedure waits for the scheduled cycle (every 30 minutes by default). */
  deltaSyncCommand: z.string().trim().min(1).optional(),
  /** The command's output (stdout and stderr) when Entra Connect is busy with a cycle: such an
   * answer is tried again, any other failure stops the step. Start-ADSyncSyncCycle says "busy". */
  busyPattern: z
    .string()
    .default("busy")
    .refine(
      (p) => {
        try {
          new RegExp(p, "i");
          return true;
        } catch {
          return false;
        }
      },
      { error: "must be a regular expression, such as busy" },
    ),
  /** Seconds between tries while Entra Connect is busy. */
  busyRetrySeconds: z.number().int().positive().default(30),
  /** The longest the command may run before it is stopped. */
  commandTimeoutSeconds: z.number().int().positive().default(600),
  /** How long to wait for a change made in AD to show in Entra ID (the default cycle is 30 minutes). */
  syncTimeoutSeconds: z.number().int().positive().default(2700),
  /** Seconds between two reads of the user in Graph while waiting. */
  pollSeconds: z.number().positive().default(5),
});
export type EntraConnectConfig = z.output<typeof entraConnectConfigSchema>;

/** A user the stack enables (`entra-coexistence:reachBack.users`): the ReachBackUser fields
 * without the license-group mapping, which the program takes from this stack's own licensing. */
export const declaredUserSchema = reachBackUserFields
  .omit({ licenseGroupMapping: true })
  .superRefine(reachBackUserRules);
export type DeclaredUser = z.output<typeof declaredUserSchema>;

const declaredUsersSchema = z.array(declaredUserSchema).superRefine((users, ctx) => {
  // One resource per source user: a user listed twice would be two resources claiming one object.
  const first = new Map<string, number>();
  users.forEach((u, i) => {
    const key = u.sourceUserPrincipalName.toLowerCase();
    const at = first.get(key);
    if (at === undefined) first.set(key, i);
    else {
      ctx.addIssue({
        code: "custom",
        path: [i, "sourceUserPrincipalName"],
        message: `is declared already at reachBack.users.${at}; list each user once`,
      });
    }
  });
});

export const reachBackConfigSchema = z.strictObject({
  /** The users this stack enables for reach-back (seed 000's per-user procedure), each checked
   * read-only at preview before any resource is registered. Empty by default. */
  users: declaredUsersSchema.default([]),
  /** Where an invited user lands after redemption (an invitation requires one); default: My Apps
   * in the source tenant. */
  inviteRedirectUrl: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).optional(),
  /** How long group-based licensing may take to give the user the reach-back group's license. */
  licenseTimeoutSeconds: z.number().int().positive().default(900),
});
export type ReachBackConfig = z.output<typeof reachBackConfigSchema>;
