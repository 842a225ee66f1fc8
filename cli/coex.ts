#!/usr/bin/env node
// `coex`: helpers around the Pulumi project for identity engineers.
//   coex discover --stack <name> [--config-file <file>] [--write] [--prune-stale [ids...]]
//     Proposes the reach-back license groups and merges them into the stack configuration;
//     mappings no longer seen are kept, marked stale (see cli/discover.ts).
//   coex verify-license-groups --stack <name> [--config-file <file>]
//     Seed 000's license-group test on a canary mail user (see cli/verifyLicenseGroups.ts).
//   coex verify-access --stack <name> [--config-file <file>]
//     Seed 000's automation-access test as the automation itself (see cli/verifyAccess.ts).
//   coex drift --stack <name> [--config-file <file>]
//     Compares both tenants with the declared state without writing anything (pulumi refresh
//     --preview-only --expect-no-changes --diff). Exit 0: no drift; 7: drift, with the settings
//     that differ; anything else: the check itself failed.
//   coex verify-reach-back <user...> [--stack <name>] [--config-file <file>]
//     Seed 000's test "Verify B2B Reach-Back Automation" on processed users, read-only (see
//     cli/verifyReachBack.ts). Exit 0: all pass; 1: a check failed; 2: usage or configuration.
//   coex journal list --stack <name> [--config-file <file>]
//   coex journal show <user> --stack <name> [--config-file <file>]
//     The stack's journal of per-user original values and steps (see cli/journal.ts).
//   coex wave new <stack> <users.csv> [--coexistence-stack coexistence] [--config-file <file>]
//   coex wave report <stack> [--format table|markdown|csv] [--config-file <file>]
//     A wave as a stack of its own, from its CSV to its per-user result (see cli/wave.ts).
import { spawn } from "node:child_process";
import { Command } from "commander";
import { findProjectDir } from "../lib/config/stackConfig";
import { discover } from "./discover";
import { journalListCommand, journalShowCommand } from "./journal";
import { verifyAccessCommand } from "./verifyAccess";
import { verifyCommand } from "./verifyLicenseGroups";
import { verifyReachBackCommand } from "./verifyReachBack";
import { REPORT_FORMATS, type ReportFormat, waveNewCommand, waveReportCommand } from "./wave";

/** The changed settings in pulumi's --diff output, as "resource: property: old => new". A list
 * of plain values is compared as a whole, whatever the positions (pulumi pairs items by index, so
 * one item gone shifts the rest): "resource: property: removed …" for each value no longer there
 * and "… added …" for each new one. Items of a list of objects are named by index,
 * "resource: property[i].key: …". Very long values are cut short. */
export function driftLines(output: string): string[] {
  const lines: string[] = [];
  let resource = "";
  // The objects and lists the diff is inside; a list gathers its plain items, before and after.
  const open: { indent: number; name: string; list?: { was: string[]; is: string[] } }[] = [];
  const pathOf = (name: string) => [...open.map((o) => o.name), name].join(".").replace(/\.\[/g, "[");
  const say = (name: string, what: string) => lines.push(`${resource}: ${pathOf(name)}: ${what}`);
  const closeTo = (depth: number) => {
    while (open.length > depth) {
      const frame = open.pop();
      if (!frame?.list) continue;
      for (const v of without(frame.list.was, frame.list.is)) say(frame.name, `removed ${cut(v)}`);
      for (const v of without(frame.list.is, frame.list.was)) say(frame.name, `added ${cut(v)}`);
    }
  };
  for (const raw of output.split("\n")) {
    const urn = raw.match(/\[urn=urn:pulumi:[^\]]*::([^\]:]+)\]/);
    if (urn) {
      closeTo(0);
      resource = urn[1];
      continue;
    }
    const m = raw.match(/^(\s*)([~+-]) (\w+|\[\d+\])\s*: (.*)$/);
    if (!m || !resource) continue;
    const [, spaces, mark, name] = m;
    const value = m[4].trim();
    while (open.length > 0 && open[open.length - 1].indent >= spaces.length) closeTo(open.length - 1);
    const list = open[open.length - 1]?.list;
    if (value === "{" || value === "[") {
      open.push({ indent: spaces.length, name, list: value === "[" ? { was: [], is: [] } : undefined });
    } else if (list && name.startsWith("[")) {
      const arrow = value.indexOf(" => ");
      if (mark === "~" && arrow >= 0) {
        list.was.push(value.slice(0, arrow));
        list.is.push(value.slice(arrow + 4));
      } else if (mark === "-") list.was.push(value);
      else if (mark === "+") list.is.push(value);
    } else if (value.includes(" => ")) {
      const arrow = value.indexOf(" => ");
      say(name, `${cut(value.slice(0, arrow))} => ${cut(value.slice(arrow + 4))}`);
    } else if (mark !== "~") say(name, `${mark === "+" ? "added" : "removed"} ${cut(value)}`);
  }
  closeTo(0);
  return lines;
}

/** The items of `a` that `b` does not have, counting repeats. */
function without(a: readonly string[], b: readonly string[]): string[] {
  const rest = [...b];
  return a.filter((x) => {
    const i = rest.indexOf(x);
    if (i === -1) return true;
    rest.splice(i, 1);
    return false;
  });
}

/** A value as pulumi printed it, cut short when long (a certificate's DER is kilobytes). */
function cut(value: string): string {
  return value.length <= 400 ? value : `${value.slice(0, 160)}… (${value.length} characters)`;
}

const program = new Command("coex").description("entra-coexistence helpers");

program
  .command("drift")
  .description("report settings changed by hand since the last pulumi up (exit 7 when there are any)")
  .requiredOption("-s, --stack <name>", "the stack to check")
  .option("--config-file <file>", "use this stack configuration file")
  .action(async (opts: { stack: string; configFile?: string }) => {
    const args = [
      "refresh",
      "--preview-only",
      "--expect-no-changes",
      "--diff",
      "--non-interactive",
      "--stack",
      opts.stack,
    ];
    if (opts.configFile) args.push("--config-file", opts.configFile);
    const child = spawn("pulumi", args, { cwd: findProjectDir(), stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const code: number = await new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 1));
    });
    if (code === 0) {
      process.stdout.write(`no drift: stack ${opts.stack} matches both tenants\n`);
    } else if (code === 7) {
      const lines = driftLines(out);
      process.stdout.write(
        `drift in stack ${opts.stack}: ${lines.length} setting(s) changed outside Pulumi\n`,
      );
      for (const l of lines) process.stdout.write(`  ${l}\n`);
      process.stdout.write(
        "run `pulumi up --refresh` to put them back, or change the stack to accept them\n",
      );
    } else {
      process.stdout.write(out);
      process.stderr.write(`coex drift: pulumi refresh failed with exit code ${code}\n`);
    }
    process.exitCode = code;
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
