// The program of a wave stack (a stack whose configuration has entra-coexistence:wave): the users
// of the wave's CSV, each a ReachBackUser, with the coexistence stack's license-group mapping read
// by stack reference. Before any user is registered, at preview too, every row is checked (the
// CSV, duplicates, then seed 000's preconditions read-only for all good rows); by default one bad
// row refuses the whole wave, listing every bad row; with continueWithGoodRows the bad rows are a
// warning and only the good rows are declared.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ReachBackUser } from "../../providers/reachBackUser";
import { Refusal } from "../config/refusal";
import { CONFIG_NAMESPACE, findProjectDir, type StackConfig } from "../config/stackConfig";
import type { WaveConfig } from "../config/wave";
import { DirectoryClient } from "../directory/client";
import { graphClientFor } from "../graph/client";
import { checkPreconditions, type PreconditionProblem } from "../reachBack/preconditions";
import { REACH_BACK_STEPS, reachBackUserDefaults } from "../reachBack/userSchema";
import {
  type BadRow,
  describeBadRow,
  mergeBadRows,
  parseWave,
  preconditionBadRows,
  type WaveUser,
} from "./wave";

/** What the wave needs of the coexistence stack. */
interface CoexistenceOutputs {
  licenseGroupMapping: Record<string, string>;
}

export async function waveProgram(config: StackConfig, wave: WaveConfig): Promise<Record<string, unknown>> {
  const key = `${CONFIG_NAMESPACE}:wave`;
  const problems: string[] = [];
  // A wave stack only enables users: the set-up it stands on is the coexistence stack's.
  if (config.reachBack.users.length > 0) {
    problems.push(
      `${CONFIG_NAMESPACE}:reachBack.users: a wave stack takes its users from ${key}.csv; move them into the CSV`,
    );
  }
  if (config.licenseGroups.mappings.length > 0) {
    problems.push(
      `${CONFIG_NAMESPACE}:licenseGroups.mappings: the license groups belong to the coexistence stack (${wave.coexistenceStack}); remove them here`,
    );
  }
  if (!config.activeDirectory) {
    problems.push(
      `${CONFIG_NAMESPACE}:activeDirectory: required (each user is changed in AD); \`coex wave new\` copies it from the coexistence stack`,
    );
  }
  if (problems.length > 0)
    throw new Refusal(`the wave stack's configuration is refused:\n  - ${problems.join("\n  - ")}`);

  const csvPath = path.resolve(findProjectDir(), wave.csv);
  let text: string;
  try {
    text = readFileSync(csvPath, "utf8");
  } catch (e) {
    throw new Refusal(
      `${key}.csv: cannot read ${csvPath} (${(e as Error).message}); give the wave's CSV, relative to the project directory`,
    );
  }
  const parsed = parseWave(text);
  if (parsed.fileProblems.length > 0) {
    throw new Refusal(
      `${wave.csv}: nothing was written; fix the file first:\n  - ${parsed.fileProblems.join("\n  - ")}`,
    );
  }

  const coexistence = await coexistenceOutputs(config, wave.coexistenceStack);
  const { bad: preconditionBad, waveProblems } = preconditionBadRows(
    await preconditionProblems(config, parsed.users, coexistence),
    parsed.users,
  );
  if (waveProblems.length > 0) {
    throw new Refusal(
      `${wave.csv}: nothing was written; these stop the whole wave:\n  - ${waveProblems.join("\n  - ")}`,
    );
  }
  const bad = mergeBadRows([...parsed.bad, ...preconditionBad]);
  if (bad.length > 0 && !wave.continueWithGoodRows) {
    throw new Refusal(
      `${wave.csv}: ${badRowsHeading(bad)}; nothing was written. Fix these rows, or set ${key}.continueWithGoodRows to true to enable the other users:\n  - ${bad.map(describeBadRow).join("\n  - ")}`,
    );
  }
  if (bad.length > 0) {
    pulumi.log.warn(
      `${wave.csv}: ${badRowsHeading(bad)}, left out of this run (continueWithGoodRows); the other users go ahead:\n  - ${bad.map(describeBadRow).join("\n  - ")}`,
    );
  }

  const badRows = new Set(bad.map((b) => b.row));
  const users = parsed.users
    .filter((u) => !badRows.has(u.row))
    .map(
      (u) =>
        new ReachBackUser(u.sourceUserPrincipalName.toLowerCase(), {
          sourceUserPrincipalName: u.sourceUserPrincipalName,
          targetEmailAddress: u.targetEmailAddress,
          coexRoutingAddress: u.coexRoutingAddress,
          // The default is left unsaid: the state keeps no copy of it (issue 11's 2 kB per user).
          mailboxMigration:
            u.mailboxMigration === reachBackUserDefaults.mailboxMigration ? undefined : u.mailboxMigration,
          licenseGroupMapping: coexistence.licenseGroupMapping,
        }),
    );
  // Compact on purpose: the per-user step and state are each user's own outputs (coex wave
  // report reads them); a per-user map here would put the whole wave into the state once more.
  const steps =
    users.length > 0
      ? pulumi.all(users.map((u) => u.step)).apply((reached) => {
          const counts: Record<string, number> = {};
          for (const s of REACH_BACK_STEPS) {
            const n = reached.filter((r) => r === s).length;
            if (n > 0) counts[s] = n;
          }
          return counts;
        })
      : {};
  return { waveCsv: wave.csv, waveUsers: users.length, waveBadRows: bad.map((b) => b.row), waveSteps: steps };
}

function badRowsHeading(bad: readonly BadRow[]): string {
  return `${bad.length} bad row(s)`;
}

/** The coexistence stack's outputs, by stack reference (read-only, at preview too), checked
 * against this stack's tenants. */
async function coexistenceOutputs(config: StackConfig, stack: string): Promise<CoexistenceOutputs> {
  const ref = new pulumi.StackReference(`wave-coexistence-${stack.replace(/\//g, "-")}`, { name: stack });
  const read = async (name: string): Promise<unknown> => {
    try {
      const d = await ref.getOutputDetails(name);
      return d.value ?? d.secretValue;
    } catch (e) {
      throw new Refusal(
        `${CONFIG_NAMESPACE}:wave.coexistenceStack: cannot read the outputs of stack ${stack} (${(e as Error).message}); name the stack that holds the coexistence set-up and run pulumi up on it first`,
      );
    }
  };
  const [sourceTenantId, targetTenantId, mapping] = await Promise.all([
    read("sourceTenantId"),
    read("targetTenantId"),
    read("licenseGroupMapping"),
  ]);
  if (sourceTenantId === undefined || targetTenantId === undefined) {
    throw new Refusal(
      `stack ${stack} has no sourceTenantId/targetTenantId outputs: it is not the coexistence stack, or was last updated by an earlier version; run pulumi up on it, or name the right stack in ${CONFIG_NAMESPACE}:wave.coexistenceStack`,
    );
  }
  const mismatched = [
    ["source", sourceTenantId, config.source.tenantId],
    ["target", targetTenantId, config.target.tenantId],
  ].filter(([, theirs, ours]) => String(theirs).toLowerCase() !== String(ours).toLowerCase());
  if (mismatched.length > 0) {
    throw new Refusal(
      `the wave's tenants are not the coexistence stack's (${stack}): ${mismatched
        .map(
          ([role, theirs, ours]) =>
            `${CONFIG_NAMESPACE}:${role}.tenantId is ${ours}, stack ${stack}'s ${role} is ${theirs}`,
        )
        .join(
          "; ",
        )}; a wave must run against the tenants whose license groups it uses: correct ${CONFIG_NAMESPACE}:source/target or wave.coexistenceStack`,
    );
  }
  const licenseGroupMapping =
    mapping && typeof mapping === "object" ? (mapping as Record<string, string>) : {};
  return { licenseGroupMapping };
}

/** Seed 000's preconditions of the good rows, read-only (both tenants and AD), all at once. */
async function preconditionProblems(
  config: StackConfig,
  users: readonly WaveUser[],
  coexistence: CoexistenceOutputs,
): Promise<PreconditionProblem[]> {
  if (users.length === 0 || !config.activeDirectory) return [];
  const ad = new DirectoryClient(config.activeDirectory);
  try {
    return await checkPreconditions(
      users.map((u) => ({ ...u, licenseGroupMapping: coexistence.licenseGroupMapping })),
      {
        source: graphClientFor(config.source, config.cloud),
        target: graphClientFor(config.target, config.cloud),
        sourceTenantId: config.source.tenantId,
        targetTenantId: config.target.tenantId,
        ad,
        userOus: config.automation?.userOus,
      },
    );
  } catch (e) {
    throw new Refusal(
      `could not read what the wave's users need (the source's /domains with Domain.Read.All, users, groups and cross-tenant access partners in both tenants, the users in AD); nothing was written: ${(e as Error).message}`,
    );
  } finally {
    await ad.close();
  }
}
