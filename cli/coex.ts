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
import { spawn } from "node:child_process";
import { Command } from "commander";
import { findProjectDir } from "../lib/config/stackConfig";
import { discover } from "./discover";
import { verifyAccessCommand } from "./verifyAccess";
import { verifyCommand } from "./verifyLicenseGroups";

/** The changed settings in pulumi's --diff output, as "resource: property: old => new", and
 * list items as "resource: property[i]: added …" or "… removed …". */
export function driftLines(output: string): string[] {
  const lines: string[] = [];
  let resource = "";
  const open: { indent: number; name: string }[] = []; // the objects and lists the diff is inside
  const pathOf = (name: string) => [...open.map((o) => o.name), name].join(".").replace(/\.\[/g, "[");
  for (const raw of output.split("\n")) {
    const urn = raw.match(/\[urn=urn:pulumi:[^\]]*::([^\]:]+)\]/);
    if (urn) {
      resource = urn[1];
      open.length = 0;
      continue;
    }
    const m = raw.match(/^(\s*)([~+-]) (\w+|\[\d+\])\s*: (.*)$/);
    if (!m || !resource) continue;
    const indent = m[1].length;
    const value = m[4].trim();
    while (open.length > 0 && open[open.length - 1].indent >= indent) open.pop();
    if (value === "{" || value === "[") open.push({ indent, name: m[3] });
    else if (value.includes("=>")) lines.push(`${resource}: ${pathOf(m[3])}: ${value}`);
    else if (m[2] !== "~")
      lines.push(`${resource}: ${pathOf(m[3])}: ${m[2] === "+" ? "added" : "removed"} ${value}`);
  }
  return lines;
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

if (require.main === module) {
  program.parseAsync().catch((e) => {
    process.stderr.write(`coex: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
