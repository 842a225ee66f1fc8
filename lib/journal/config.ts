// `entra-coexistence:journal` in the stack configuration (lib/journal/location.ts says where the
// journal goes without it).
import { z } from "zod";

export const journalConfigSchema = z.strictObject({
  /** A directory that outlives the machine (a mounted share, a volume CI keeps), relative to the
   * project directory. The stack's journal is <directory>/<project>/<stack>. Required when the
   * backend is not a file backend. */
  directory: z.string().min(1, { error: "give the path of a directory that outlives the machine" }),
});
export type JournalConfig = z.output<typeof journalConfigSchema>;
