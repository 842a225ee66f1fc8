// A test program: ReachBackUser resources declared straight from the stack configuration, so that
// a test can enable, change and let go of users one by one.
//   entra-coexistence-test:users: [{ name, sourceUserPrincipalName, targetEmailAddress,
//     coexRoutingAddress, mailboxMigration?, licenseGroupMapping?, rollbackOnDelete? }]
//   entra-coexistence-test:usersFile: a JSON file with that list instead (a wave of hundreds: pulumi
//     hands the configuration to the program in one environment variable, which Linux caps at
//     128 KiB)
//   entra-coexistence-test:previewPreconditions: true runs the users' preconditions at preview
//     before any resource is registered, as the product's program does (index.ts), refusing with
//     one line per problem (the other tests leave it off: their refusals come from `up`).
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, loadStackConfig } from "../../../lib/config/stackConfig";
import { DirectoryClient } from "../../../lib/directory/client";
import { graphClientFor } from "../../../lib/graph/client";
import { checkPreconditions, describeProblem } from "../../../lib/reachBack/preconditions";
import { reachBackUserSchema } from "../../../lib/reachBack/userSchema";
import { ReachBackUser, type ReachBackUserArgs } from "../../../providers/reachBackUser";

type Declared = ReachBackUserArgs & { name: string };

/** The declared users' unmet preconditions, read-only. */
async function previewProblems(users: Declared[]): Promise<string[]> {
  const coex = new pulumi.Config(CONFIG_NAMESPACE);
  const config = loadStackConfig((key) => coex.get(key));
  if (!config.activeDirectory) return [`${CONFIG_NAMESPACE}:activeDirectory is not set`];
  const ad = new DirectoryClient(config.activeDirectory);
  try {
    const problems = await checkPreconditions(
      users.map(({ name: _name, ...u }) => reachBackUserSchema.parse(u)),
      {
        source: graphClientFor(config.source, config.cloud),
        target: graphClientFor(config.target, config.cloud),
        sourceTenantId: config.source.tenantId,
        targetTenantId: config.target.tenantId,
        ad,
        userOus: config.automation?.userOus,
      },
    );
    return problems.map(describeProblem);
  } finally {
    await ad.close();
  }
}

export = async (): Promise<Record<string, unknown>> => {
  const test = new pulumi.Config("entra-coexistence-test");
  const usersFile = test.get("usersFile");
  const users = usersFile
    ? (JSON.parse(readFileSync(usersFile, "utf8")) as Declared[])
    : test.requireObject<Declared[]>("users");
  if (pulumi.runtime.isDryRun() && test.getBoolean("previewPreconditions")) {
    const problems = await previewProblems(users);
    if (problems.length > 0) {
      pulumi.log.error(
        `reachBack users: nothing was written; fix these first:\n  - ${problems.join("\n  - ")}`,
      );
      process.exitCode = 32;
      return {};
    }
  }
  const enabled: Record<string, pulumi.Output<unknown>> = {};
  for (const { name, ...args } of users) {
    const u = new ReachBackUser(name, args);
    enabled[name] = pulumi
      .all([u.step, u.state, u.sourceUserId])
      .apply(([step, state, sourceUserId]) => ({ step, state, sourceUserId }));
  }
  return { enabled };
};
