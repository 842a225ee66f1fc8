// A small wave for tests that are about something else than waves (team state, pipelines): two
// users in a scratch OU of the Samba AD, a coexistence stack exporting the tenants and the
// mapping (test/e2e/programs/coexistenceOutputs.ts), and a wave stack of the product's program,
// both on the backend given.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createScratchOu, type ScratchOu } from "./directoryFixtures";
import { PulumiStack, repoRoot } from "./pulumi";
import {
  deltaSyncHook,
  type ReachBackEstate,
  type ReachBackTestUser,
  reachBackConfig,
  reachBackEstate,
  reachBackTestUser,
} from "./reachBack";
import type { SambaUnderTest } from "./samba";
import { workDir } from "./tenantPairs";

export const COEX_PROJECT = "wave-coex-test";

export interface SmallWave {
  estate: ReachBackEstate;
  users: ReachBackTestUser[];
  coexistence: PulumiStack;
  wave: PulumiStack;
  /** The wave stack's configuration, as written. */
  config: Record<string, unknown>;
  dir: string;
  close(): Promise<void>;
}

/** @param label 1-10 letters or digits, unique per test file */
export async function smallWave(
  samba: SambaUnderTest,
  label: string,
  options: { backendUrl?: string } = {},
): Promise<SmallWave> {
  const scratch: ScratchOu = await createScratchOu(samba.admin(), label);
  const estate = await reachBackEstate(samba);
  const { pair } = estate;
  const users = [
    await reachBackTestUser(estate, `${label}1`, scratch.userDn),
    await reachBackTestUser(estate, `${label}2`, scratch.outsideUserDn),
  ];
  const dir = workDir(`wave-${label}`);
  mkdirSync(path.join(dir, "waves"), { recursive: true });
  const csv = path.join(dir, "waves", `${label}.csv`);
  writeFileSync(
    csv,
    `${[
      "sourceUserPrincipalName,targetEmailAddress,coexRoutingAddress,mailboxMigration",
      ...users.map((u) => `${u.upn},${u.target},${u.routing},`),
    ].join("\n")}\n`,
  );
  const programDir = workDir(`program-${label}-coex`);
  writeFileSync(
    path.join(programDir, "Pulumi.yaml"),
    [
      `name: ${COEX_PROJECT}`,
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      `main: ${path.join(repoRoot, "dist/test/e2e/programs/coexistenceOutputs.js")}`,
      "",
    ].join("\n"),
  );
  const id = Date.now().toString(36);
  const coexistence = new PulumiStack(`${label}cx${id}`, dir, programDir, options);
  await coexistence.init();
  writeFileSync(
    coexistence.configFile,
    JSON.stringify({
      config: {
        [`${COEX_PROJECT}:sourceTenantId`]: pair.connections.source.tenantId,
        [`${COEX_PROJECT}:targetTenantId`]: pair.connections.target.tenantId,
        [`${COEX_PROJECT}:licenseGroupMapping`]: { [estate.originalGroup]: estate.reachBackGroup },
      },
    }),
  );
  await coexistence.expect(["up", "--yes"]);
  const wave = new PulumiStack(`${label}${id}`, dir, repoRoot, options);
  await wave.init();
  const config = {
    ...reachBackConfig(samba, pair, deltaSyncHook(pair)),
    wave: { csv, coexistenceStack: `organization/${COEX_PROJECT}/${coexistence.name}` },
    // The journal of original values lives beside the state only in a file backend; with another
    // backend it needs a directory of its own (README, "Team state").
    ...(options.backendUrl && !options.backendUrl.startsWith("file://")
      ? { journal: { directory: path.join(dir, "journal") } }
      : {}),
  };
  wave.writeConfig(config);
  return {
    estate,
    users,
    coexistence,
    wave,
    config,
    dir,
    close: async () => {
      wave.dispose();
      await estate.ad.close();
      await scratch.cleanup().catch(() => undefined);
      await pair.close();
    },
  };
}
