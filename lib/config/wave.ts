// `entra-coexistence:wave`: the key that makes a stack a wave stack (one per wave: wave-01, …).
// Its program then enables the users of a CSV file (lib/waves/) with the coexistence stack's
// license-group mapping, read by stack reference, instead of declaring the coexistence set-up.
import { z } from "zod";

export const waveConfigSchema = z.strictObject({
  /** The wave's CSV, relative to the project directory (`coex wave new` puts it at
   * stacks/waves/<stack>.csv). */
  csv: z.string().trim().min(1, { error: "give the path of the wave's CSV, e.g. stacks/waves/wave-01.csv" }),
  /** The stack that holds the tenants' coexistence set-up and the reach-back license groups; its
   * outputs licenseGroupMapping, sourceTenantId and targetTenantId are read by stack reference. */
  coexistenceStack: z
    .string()
    .trim()
    .regex(/^[\w.-]+(\/[\w.-]+){0,2}$/, { error: "must be a stack name such as coexistence" })
    .default("coexistence"),
  /** false (default): one bad row refuses the whole preview. true: the bad rows are listed as a
   * warning and only the good rows are declared. */
  continueWithGoodRows: z.boolean().default(false),
});
export type WaveConfig = z.output<typeof waveConfigSchema>;
