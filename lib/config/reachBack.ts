// How the per-user procedure (ReachBackUser) waits and what it asks for, in the stack
// configuration: `entra-coexistence:entraConnect` (asking Entra Connect for a delta cycle and
// waiting for it) and `entra-coexistence:reachBack` (the invitation and the license wait).
import { z } from "zod";

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

export const reachBackConfigSchema = z.strictObject({
  /** Where an invited user lands after redemption (an invitation requires one); default: My Apps
   * in the source tenant. */
  inviteRedirectUrl: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).optional(),
  /** How long group-based licensing may take to give the user the reach-back group's license. */
  licenseTimeoutSeconds: z.number().int().positive().default(900),
});
export type ReachBackConfig = z.output<typeof reachBackConfigSchema>;
