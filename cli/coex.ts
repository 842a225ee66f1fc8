#!/usr/bin/env node
// `coex`: helpers around the Pulumi project for identity engineers.
//   coex discover --stack <name> [--config-file <file>] [--write] [--prune-stale [ids...]]
//     Proposes the reach-back license groups and merges them into the stack configuration;
//     mappings no longer seen are kept, marked stale (see cli/discover.ts).
//   coex verify-license-groups --stack <name> [--config-file <file>]
//     Seed 000's license-group test on a canary mail user (see cli/verifyLicenseGroups.ts).
//   coex verify-access --stack <name> [--config-file <file>]
//     Seed 000's automation-access test as the automation itself (see cli/verifyAccess.ts).
//   coex drift --stack <name...> [--config-file <file...>] [--format table|json|markdown]
//     Compares both tenants and AD with the declaration without writing anything, per property,
//     declared against live (see cli/drift.ts). Exit 0: no drift; 7: drift; 2: the check failed.
//   coex review --stack <name...> [--config-file <file...>] [--format markdown|json]
//     The previews of the stacks as a reviewer reads them, with the coexistence invariants checked
//     (see cli/review.ts). Exit 0: nothing against policy; 8: a policy violation; 2: the review failed.
//   coex verify-reach-back <user...> [--stack <name>] [--config-file <file>]
//     Seed 000's test "Verify B2B Reach-Back Automation" on processed users, read-only (see
//     cli/verifyReachBack.ts). Exit 0: all pass; 1: a check failed; 2: usage or configuration.
//   coex journal list --stack <name> [--config-file <file>]
//   coex journal show <user> --stack <name> [--config-file <file>]
//     The stack's journal of per-user original values and steps (see cli/journal.ts).
//   coex wave new <stack> <users.csv> [--coexistence-stack coexistence] [--config-file <file>]
//   coex wave report <stack> [--format table|markdown|csv] [--config-file <file>]
//     A wave as a stack of its own, from its CSV to its per-user result (see cli/wave.ts).
import { Command } from "commander";
import { discover } from "./discover";
import { DRIFT_FORMATS, type DriftFormat, driftCommand, EXIT_CHECK_FAILED } from "./drift";
import { journalListCommand, journalShowCommand } from "./journal";
import { stackRefs } from "./pulumiJson";
import { EXIT_REVIEW_FAILED, REVIEW_FORMATS, type ReviewFormat, reviewCommand } from "./review";
import { verifyAccessCommand } from "./verifyAccess";
import { verifyCommand } from "./verifyLicenseGroups";
import { verifyReachBackCommand } from "./verifyReachBack";
import { REPORT_FORMATS, type ReportFormat, waveNewCommand, waveReportCommand } from "./wave";

const program = new Command("coex").description("entra-coexistence helpers");

program
  .command("drift")
  .description(
    "report what changed outside Pulumi, declared against live, per property (read-only; exit 7 when there is drift)",
  )
  .requiredOption("-s, --stack <names...>", "the stacks to check")
  .option("--config-file <files...>", "the stacks' configuration files, in the order of --stack")
  .option("--format <format>", `${DRIFT_FORMATS.join(", ")}`, "table")
  .exitOverride((e) => {
    process.exit(e.exitCode === 0 ? 0 : EXIT_CHECK_FAILED);
  })
  .action(async (opts: { stack: string[]; configFile?: string[]; format: string }) => {
    if (!(DRIFT_FORMATS as readonly string[]).includes(opts.format)) {
      process.stderr.write(`coex drift: --format must be one of ${DRIFT_FORMATS.join(", ")}\n`);
      process.exitCode = EXIT_CHECK_FAILED;
      return;
    }
    const refs = stackRefs(opts.stack, opts.configFile);
    if ("usage" in refs) {
      process.stderr.write(`coex drift: ${refs.usage}\n`);
      process.exitCode = EXIT_CHECK_FAILED;
      return;
    }
    process.exitCode = await driftCommand(
      refs,
      opts.format as DriftFormat,
      (l) => process.stdout.write(`${l}\n`),
      (l) => process.stderr.write(`${l}\n`),
    );
  });

program
  .command("review")
  .description(
    "the stacks' previews as a reviewer reads them, replacements and deletions first, with the coexistence policy checked (read-only; exit 8 on a violation)",
  )
  .requiredOption("-s, --stack <names...>", "the stacks to review")
  .option("--config-file <files...>", "the stacks' configuration files, in the order of --stack")
  .option("--format <format>", `${REVIEW_FORMATS.join(", ")}`, "markdown")
  .exitOverride((e) => {
    process.exit(e.exitCode === 0 ? 0 : EXIT_REVIEW_FAILED);
  })
  .action(async (opts: { stack: string[]; configFile?: string[]; format: string }) => {
    if (!(REVIEW_FORMATS as readonly string[]).includes(opts.format)) {
      process.stderr.write(`coex review: --format must be one of ${REVIEW_FORMATS.join(", ")}\n`);
      process.exitCode = EXIT_REVIEW_FAILED;
      return;
    }
    const refs = stackRefs(opts.stack, opts.configFile);
    if ("usage" in refs) {
      process.stderr.write(`coex review: ${refs.usage}\n`);
      process.exitCode = EXIT_REVIEW_FAILED;
      return;
    }
    process.exitCode = await reviewCommand(refs, opts.format as ReviewFormat, (l) =>
      process.stdout.write(`${l}\n`),
    );
  });

program
  .command("discover")
  .description("propose reach-back license groups from the source tenant's license groups")
  .requiredOption(
    "-s, --stack <name>",
    "the stack whose source tenant to read and whose configuration to write",
  )
  .option("--config-file <file>", "use this stack configuration file")
  .option("--write", "merge the mapping into the stack configuration (entra-coexistence:licenseGroups)")
  .option(
    "--prune-stale [originalGroupIds...]",
    "remove mappings already marked stale (all, or those of these original groups); the next up removes their reach-back groups",
  )
  .action(
    async (opts: {
      stack: string;
      configFile?: string;
      write?: boolean;
      pruneStale?: boolean | string[];
    }) => {
      await discover(
        { stack: opts.stack, configFile: opts.configFile },
        { write: opts.write === true, pruneStale: opts.pruneStale },
        (l) => process.stdout.write(`${l}\n`),
      );
    },
  );

program
  .command("verify-license-groups")
  .description("seed 000's test: a canary keeps an unverified-domain primary SMTP in every reach-back group")
  .requiredOption("-s, --stack <name>", "the stack whose license groups to verify")
  .option("--config-file <file>", "use this stack configuration file")
  .action(async (opts: { stack: string; configFile?: string }) => {
    process.exitCode = await verifyCommand({ stack: opts.stack, configFile: opts.configFile }, (l) =>
      process.stdout.write(`${l}\n`),
    );
  });

program
  .command("verify-access")
  .description("seed 000's test: the automation's app and service account can do exactly their job")
  .requiredOption("-s, --stack <name>", "the stack whose automation to verify")
  .option("--config-file <file>", "use this stack configuration file")
  .action(async (opts: { stack: string; configFile?: string }) => {
    process.exitCode = await verifyAccessCommand({ stack: opts.stack, configFile: opts.configFile }, (l) =>
      process.stdout.write(`${l}\n`),
    );
  });

program
  .command("verify-reach-back")
  .description(
    "seed 000's test on processed users: license groups, AD attributes, revert, B2B link (read-only)",
  )
  .argument("<user...>", "the users' source user principal names")
  .option("-s, --stack <name>", "the stack that enabled them (default: the selected stack)")
  .option("--config-file <file>", "use this stack configuration file")
  // A usage error exits 2, as the command's configuration errors do.
  .exitOverride((e) => {
    process.exit(e.exitCode === 0 ? 0 : 2);
  })
  .action(async (users: string[], opts: { stack?: string; configFile?: string }) => {
    process.exitCode = await verifyReachBackCommand(users, opts, (l) => process.stdout.write(`${l}\n`));
  });

const journal = program
  .command("journal")
  .description("the journal of per-user original values and steps (read-only)");

journal
  .command("list")
  .description("the users in the stack's journal, their state and last step")
  .requiredOption("-s, --stack <name>", "the stack whose journal to read")
  .option("--config-file <file>", "use this stack configuration file")
  .action(async (opts: { stack: string; configFile?: string }) => {
    process.exitCode = await journalListCommand({ stack: opts.stack, configFile: opts.configFile }, (l) =>
      process.stdout.write(`${l}\n`),
    );
  });

journal
  .command("show")
  .description("one user's original values, steps, and what putting the user back would write")
  .argument("<user>", "the user's source user principal name")
  .requiredOption("-s, --stack <name>", "the stack whose journal to read")
  .option("--config-file <file>", "use this stack configuration file")
  .action(async (user: string, opts: { stack: string; configFile?: string }) => {
    process.exitCode = await journalShowCommand(
      { stack: opts.stack, configFile: opts.configFile },
      user,
      (l) => process.stdout.write(`${l}\n`),
    );
  });

const wave = program.command("wave").description("waves: a stack per CSV of users");

wave
  .command("new")
  .description("check a wave's CSV, then create its stack and configuration from the coexistence stack's")
  .argument("<stack>", "the new stack's name, e.g. wave-01")
  .argument(
    "<users.csv>",
    "the wave's users (sourceUserPrincipalName,targetEmailAddress,coexRoutingAddress[,mailboxMigration])",
  )
  .option(
    "--coexistence-stack <name>",
    "the stack holding the coexistence set-up and license groups",
    "coexistence",
  )
  .option(
    "--coexistence-config-file <file>",
    "the coexistence stack's configuration file, if not the default",
  )
  .option(
    "--config-file <file>",
    "write the new stack's configuration here (default stacks/Pulumi.<stack>.yaml)",
  )
  .action(
    async (
      stack: string,
      csv: string,
      opts: { coexistenceStack: string; coexistenceConfigFile?: string; configFile?: string },
    ) => {
      process.exitCode = await waveNewCommand(stack, csv, opts, (l) => process.stdout.write(`${l}\n`));
    },
  );

wave
  .command("report")
  .description("per user: row, source UPN, target, step reached, final state, error (read-only)")
  .argument("<stack>", "the wave's stack")
  .option("--config-file <file>", "use this stack configuration file")
  .option("--format <format>", `${REPORT_FORMATS.join(", ")}`, "table")
  .action(async (stack: string, opts: { configFile?: string; format: string }) => {
    if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) {
      process.stderr.write(`coex wave report: --format must be one of ${REPORT_FORMATS.join(", ")}\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = await waveReportCommand(
      { stack, configFile: opts.configFile },
      { format: opts.format as ReportFormat },
      (l) => process.stdout.write(`${l}\n`),
    );
  });

if (require.main === module) {
  program.parseAsync().catch((e) => {
    process.stderr.write(`coex: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
