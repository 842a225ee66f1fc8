// `coex wave new` and `coex wave report`: a wave (a stack per CSV of users) from its file to its
// per-user result.
//   new: checks the CSV (every bad row listed, exit 1, nothing created), copies it beside the
//     stack's configuration (stacks/waves/<stack>.csv), creates the stack, and writes its
//     configuration: the coexistence stack's connection settings (tenants, credentials, AD, Entra
//     Connect, journal, reach-back settings; secrets re-encrypted for the new stack) and the wave key.
//   report: per user the step reached, the final state and the error, from the stack's state (the
//     ReachBackUser resources' outputs) and, for users without a resource (a failed create leaves
//     none), from the journal; as a table, Markdown or CSV, with the counts per step first.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import * as path from "node:path";
import { CONFIG_NAMESPACE, findProjectDir, SECRET_CONFIG_PATHS } from "../lib/config/stackConfig";
import { type WaveConfig, waveConfigSchema } from "../lib/config/wave";
import { STEPS, type StepName } from "../lib/journal/records";
import { REACH_BACK_STEPS } from "../lib/reachBack/userSchema";
import { formatCsv } from "../lib/waves/csv";
import { BIG_WAVE_USERS, heapMiB, upCommand, waveParallelism } from "../lib/waves/upCommand";
import { type BadRow, describeBadRow, parseWave } from "../lib/waves/wave";
import { openStackJournal, table } from "./journal";
import { pulumi, type StackRef } from "./stack";

type Print = (line: string) => void;

/** The coexistence stack's keys a wave stack needs: how to reach the tenants and AD, and how the
 * procedure runs. Not the cross-tenant settings or license groups: the coexistence stack holds them. */
export const COPIED_KEYS = [
  "cloud",
  "source",
  "target",
  "activeDirectory",
  "automation",
  "entraConnect",
  "journal",
  "reachBack",
] as const;

export interface WaveNewOptions {
  coexistenceStack: string;
  /** The coexistence stack's configuration file, when not stacks/Pulumi.<name>.yaml. */
  coexistenceConfigFile?: string;
  /** Where the new stack's configuration goes (default stacks/Pulumi.<stack>.yaml); the CSV is
   * copied to waves/<stack>.csv beside it. */
  configFile?: string;
}

/** Exit codes: 0 created; 1 bad rows or a problem, nothing created. */
export async function waveNewCommand(
  stack: string,
  csvFile: string,
  options: WaveNewOptions,
  print: Print,
): Promise<number> {
  const projectDir = findProjectDir();
  let text: string;
  try {
    text = readFileSync(csvFile, "utf8");
  } catch (e) {
    print(`coex wave new: cannot read ${csvFile}: ${(e as Error).message}`);
    return 1;
  }
  const wave = parseWave(text);
  if (wave.fileProblems.length > 0 || wave.bad.length > 0) {
    print(`${csvFile}: nothing was created; fix these first:`);
    for (const p of wave.fileProblems) print(`  - ${p}`);
    for (const b of wave.bad) print(`  - ${describeBadRow(b)}`);
    return 1;
  }
  const configFile = path.resolve(
    options.configFile ?? path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`),
  );
  const csvCopy = path.join(path.dirname(configFile), "waves", `${stack}.csv`);
  if (existsSync(configFile)) {
    print(
      `coex wave new: ${configFile} exists already; choose another stack name, or remove the file if it is left over`,
    );
    return 1;
  }
  const sameFile = existsSync(csvCopy) && realpathSync(csvCopy) === realpathSync(csvFile);
  if (existsSync(csvCopy) && !sameFile) {
    print(
      `coex wave new: ${csvCopy} exists already; choose another stack name, or remove the file if it is left over`,
    );
    return 1;
  }

  const coexistence: StackRef = {
    stack: options.coexistenceStack,
    configFile: options.coexistenceConfigFile,
  };
  let values: Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>;
  try {
    values = JSON.parse(pulumi(["config", "--json", "--show-secrets"], coexistence));
  } catch (e) {
    print(
      `coex wave new: cannot read the configuration of the coexistence stack ${options.coexistenceStack}: ${(e as Error).message}`,
    );
    return 1;
  }
  const plain: Record<string, { value: string; objectValue?: unknown; secret: false }> = {};
  const secrets: Array<[string, string]> = [];
  for (const key of COPIED_KEYS) {
    const full = `${CONFIG_NAMESPACE}:${key}`;
    const v = values[full];
    if (v?.value === undefined) continue;
    let object = v.objectValue;
    if (object === undefined) {
      plain[full] = { value: v.value, secret: false };
      continue;
    }
    object = structuredClone(object) as Record<string, unknown>;
    // The wave's users come from its CSV.
    if (key === "reachBack") delete (object as Record<string, unknown>).users;
    for (const secretPath of SECRET_CONFIG_PATHS.filter((p) => p[0] === key)) {
      const parent = secretPath
        .slice(1, -1)
        .reduce<unknown>(
          (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
          object,
        );
      const leaf = secretPath[secretPath.length - 1];
      if (
        parent &&
        typeof parent === "object" &&
        typeof (parent as Record<string, unknown>)[leaf] === "string"
      ) {
        secrets.push([
          `${CONFIG_NAMESPACE}:${secretPath.join(".")}`,
          (parent as Record<string, string>)[leaf],
        ]);
        delete (parent as Record<string, unknown>)[leaf];
      }
    }
    plain[full] = { value: JSON.stringify(object), objectValue: object, secret: false };
  }
  const relativeCsv = path.relative(projectDir, csvCopy);
  const waveKey: WaveConfig = waveConfigSchema.parse({
    csv: relativeCsv.startsWith("..") ? csvCopy : relativeCsv,
    coexistenceStack: options.coexistenceStack,
    continueWithGoodRows: false,
  });
  plain[`${CONFIG_NAMESPACE}:wave`] = { value: JSON.stringify(waveKey), objectValue: waveKey, secret: false };

  const run = (args: string[], withConfigFile: boolean, input?: string) => {
    const full = [...args, "--stack", stack, "--non-interactive"];
    if (withConfigFile) full.push("--config-file", configFile);
    const r = spawnSync("pulumi", full, { cwd: projectDir, encoding: "utf8", input });
    if (r.status !== 0)
      throw new Error(`pulumi ${args.slice(0, 2).join(" ")} failed: ${r.stderr || r.stdout}`);
  };
  try {
    // stack init takes no --config-file: it writes the passphrase's salt to stacks/Pulumi.<stack>.yaml.
    const initFile = path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`);
    const initLeftNone = !existsSync(initFile);
    spawnOrThrow(["stack", "init", stack, "--no-select", "--non-interactive"], projectDir);
    if (initLeftNone && path.resolve(initFile) !== configFile) rmSync(initFile, { force: true });
    if (!sameFile) {
      mkdirSync(path.dirname(csvCopy), { recursive: true });
      copyFileSync(csvFile, csvCopy);
    }
    run(["config", "set-all", "--json", JSON.stringify(plain)], true);
    // Secrets go on stdin, never on a command line, and are encrypted for the new stack.
    for (const [key, value] of secrets) run(["config", "set", "--secret", "--path", key], true, value);
  } catch (e) {
    print(`coex wave new: ${(e as Error).message}`);
    print(
      `the stack may be half made: \`pulumi stack rm ${stack} --yes\` and remove ${configFile} before trying again`,
    );
    return 1;
  }
  print(`created stack ${stack}: ${wave.users.length} user(s) from ${csvFile}`);
  print(`  the wave's CSV: ${csvCopy}`);
  print(
    `  its configuration: ${configFile} (connections copied from stack ${options.coexistenceStack}, secrets re-encrypted)`,
  );
  const cf = options.configFile ? ` --config-file ${configFile}` : "";
  print("next:");
  print(`  pulumi preview --stack ${stack}${cf}     # checks every row and user, writes nothing`);
  const big = wave.users.length > BIG_WAVE_USERS;
  print(`  ${upCommand(stack, wave.users.length, cf)}`);
  print(
    `    a wave waits on sync cycles: run every user at once. pulumi's default parallelism is 4 x the CPU cores, which would take the users a few at a time; --parallel (or PULUMI_PARALLEL=${waveParallelism(wave.users.length)}) raises it`,
  );
  if (big) {
    print(
      `    over ${BIG_WAVE_USERS} users, the state file written after every user's step costs more than the wave itself (its size times the number of users): PULUMI_SKIP_CHECKPOINTS writes it once at the end. A crash then loses the run's state, not the users: the journal has every user's step, and the next up continues each one from it. NODE_OPTIONS caps the provider process's heap at ${heapMiB(wave.users.length)} MiB: without it, memory grows to two or three times what the users need before the garbage is collected`,
    );
  }
  print(`  coex wave report ${stack}${cf}`);
  return 0;
}

function spawnOrThrow(args: string[], cwd: string): void {
  const r = spawnSync("pulumi", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pulumi ${args.slice(0, 2).join(" ")} failed: ${r.stderr || r.stdout}`);
}

export const REPORT_FORMATS = ["table", "markdown", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One user's line in the report. */
export interface ReportRow {
  row: number;
  user: string;
  target: string;
  step: string;
  state: string;
  error: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a state export is walked as JSON
type Json = any;

/** The ReachBackUser resources of a state export: outputs by source UPN (lower case). */
export function usersInState(exported: Json): Map<string, { step: string; state: string }> {
  const found = new Map<string, { step: string; state: string }>();
  for (const r of exported?.deployment?.resources ?? []) {
    const o = r?.outputs ?? {};
    const isUser =
      (typeof r?.type === "string" && r.type.endsWith(":ReachBackUser")) ||
      (typeof o.journalStack === "string" && typeof o.sourceUserPrincipalName === "string");
    if (!isUser || typeof o.sourceUserPrincipalName !== "string") continue;
    found.set(o.sourceUserPrincipalName.toLowerCase(), {
      step: String(o.step ?? ""),
      state: String(o.state ?? ""),
    });
  }
  return found;
}

/** The procedure's step a user had passed when the journal's `lastStep` was announced (each step
 * is recorded before it writes, so the one announced last may not have finished). */
export function stepBefore(lastStep: StepName | undefined): string {
  if (!lastStep) return "journaled";
  const design = STEPS[lastStep].design as number;
  // Design steps 3..8 are licensed, addressSwapped, synced, invited, reverted, verified.
  const index = REACH_BACK_STEPS.indexOf("licensed") + (design - 3) - 1;
  return design === 0 ? "rolled back" : (REACH_BACK_STEPS[Math.max(1, index)] ?? "journaled");
}

export interface ReportOptions {
  format: ReportFormat;
}

/** Exit codes: 0 printed (whatever the users' results); 1 the stack or its wave cannot be read. */
export async function waveReportCommand(
  ref: StackRef,
  options: ReportOptions,
  print: Print,
): Promise<number> {
  let wave: WaveConfig;
  let text: string;
  try {
    const all = JSON.parse(pulumi(["config", "--json"], ref)) as Record<string, { value?: string }>;
    const raw = all[`${CONFIG_NAMESPACE}:wave`]?.value;
    if (raw === undefined) {
      print(
        `coex wave report: stack ${ref.stack} is not a wave stack (no ${CONFIG_NAMESPACE}:wave); \`coex wave new\` makes one`,
      );
      return 1;
    }
    wave = waveConfigSchema.parse(JSON.parse(raw));
    text = readFileSync(path.resolve(findProjectDir(), wave.csv), "utf8");
  } catch (e) {
    print(`coex wave report: ${(e as Error).message}`);
    return 1;
  }
  let inState: Map<string, { step: string; state: string }>;
  try {
    inState = usersInState(JSON.parse(pulumi(["stack", "export"], ref, false)));
  } catch (e) {
    print(`coex wave report: ${(e as Error).message}`);
    return 1;
  }
  const quiet: string[] = [];
  const opened = await openStackJournal(ref, (l) => quiet.push(l));
  const parsed = parseWave(text);
  const rows: ReportRow[] = [];
  const badByRow = new Map<number, BadRow[]>();
  for (const b of parsed.bad) badByRow.set(b.row, [...(badByRow.get(b.row) ?? []), b]);
  const all: Array<{ row: number; user: string; target: string; bad?: BadRow[] }> = [
    ...parsed.users.map((u) => ({
      row: u.row,
      user: u.sourceUserPrincipalName,
      target: u.targetEmailAddress,
    })),
    ...[...badByRow].map(([row, bad]) => ({ row, user: bad[0].user, target: "", bad })),
  ].sort((a, b) => a.row - b.row);
  for (const u of all) {
    if (u.bad) {
      rows.push({
        row: u.row,
        user: u.user,
        target: u.target,
        step: "not started",
        state: "bad row",
        error: u.bad.map((b) => `${b.problem}; ${b.fix}`).join("; "),
      });
      continue;
    }
    const resource = inState.get(u.user.toLowerCase());
    const journal = opened ? await opened.journal.report(u.user) : undefined;
    const failure = journal?.failure
      ? `at ${STEPS[journal.failure.step].text}: ${journal.failure.error}`
      : "";
    if (resource) {
      rows.push({
        ...u,
        step: resource.step,
        state: resource.state,
        error: resource.step === "verified" ? "" : failure,
      });
    } else if (journal && journal.records.length > 0) {
      rows.push({
        ...u,
        // The step passed before the one that failed (the revert after a failure is recorded too).
        step: stepBefore(journal.failure?.step ?? journal.lastStep),
        state: `${journal.state.replace("-", " ")} (no resource: its create failed)`,
        error: failure || "see the pulumi up log",
      });
    } else {
      rows.push({ ...u, step: "not started", state: "not started", error: "" });
    }
  }
  for (const line of formatReport(ref.stack, wave.csv, rows, options.format)) print(line);
  return 0;
}

/** The counts per step, then one line per user, in the format asked for. */
export function formatReport(
  stack: string,
  csv: string,
  rows: readonly ReportRow[],
  format: ReportFormat,
): string[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.step, (counts.get(r.step) ?? 0) + 1);
  const order = ["not started", ...REACH_BACK_STEPS, "rolled back"];
  const countList = [...counts].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  const header = ["row", "user", "target", "step", "state", "error"];
  const cells = rows.map((r) => [String(r.row), r.user, r.target, r.step, r.state, r.error]);
  if (format === "csv") {
    return formatCsv([header, ...cells])
      .replace(/\r\n$/, "")
      .split("\r\n");
  }
  const summary = countList.map(([s, n]) => `${s}: ${n}`).join(", ");
  if (format === "markdown") {
    const md = (c: string) => c.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
    return [
      `## Wave ${stack} (${csv}): ${rows.length} user(s)`,
      "",
      "| step | users |",
      "| --- | --- |",
      ...countList.map(([s, n]) => `| ${s} | ${n} |`),
      "",
      `| ${header.join(" | ")} |`,
      `| ${header.map(() => "---").join(" | ")} |`,
      ...cells.map((c) => `| ${c.map(md).join(" | ")} |`),
    ];
  }
  return [`wave ${stack} (${csv}): ${rows.length} user(s); ${summary}`, "", ...table(header, cells)];
}
