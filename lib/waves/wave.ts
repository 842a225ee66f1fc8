// A wave: the users one stack enables, as a CSV file under stacks/waves/ (one row per user, a
// header row naming the columns). Every row is checked before anything runs, and every bad row
// is reported at once, one line each: `row N (user): problem; fix`. Row numbers count the header
// as row 1, as a spreadsheet shows them.
import type { z } from "zod";
import { closest } from "../config/suggest";
import type { PreconditionProblem } from "../reachBack/preconditions";
import { reachBackUserFields, reachBackUserRules } from "../reachBack/userSchema";
import { parseCsv } from "./csv";

/** The columns, in the order `coex wave report` and the README give them. */
export const WAVE_COLUMNS = [
  "sourceUserPrincipalName",
  "targetEmailAddress",
  "coexRoutingAddress",
  "mailboxMigration",
] as const;
export type WaveColumn = (typeof WAVE_COLUMNS)[number];
const REQUIRED: readonly WaveColumn[] = WAVE_COLUMNS.filter((c) => c !== "mailboxMigration");

/** One row's user: the ReachBackUser fields a CSV can give (the license-group mapping comes from
 * the coexistence stack, rollbackOnDelete stays at its default for a wave). */
export const waveRowSchema = reachBackUserFields
  .pick({
    sourceUserPrincipalName: true,
    targetEmailAddress: true,
    coexRoutingAddress: true,
    mailboxMigration: true,
  })
  .superRefine(reachBackUserRules);
export type WaveUser = z.output<typeof waveRowSchema> & { row: number };

/** A row that cannot go ahead: which row and user, what is wrong, what to do. */
export interface BadRow {
  row: number;
  /** The row's source UPN as written, or "no user" when the row has none. */
  user: string;
  problem: string;
  fix: string;
}

export function describeBadRow(b: BadRow): string {
  return `row ${b.row} (${b.user}): ${b.problem}; ${b.fix}`;
}

/** One entry per row, in row order: a row with several problems says them all on its one line. */
export function mergeBadRows(bad: readonly BadRow[]): BadRow[] {
  const byRow = new Map<number, BadRow>();
  for (const b of bad) {
    const seen = byRow.get(b.row);
    byRow.set(
      b.row,
      seen ? { ...seen, problem: `${seen.problem}; ${seen.fix}; ${b.problem}`, fix: b.fix } : b,
    );
  }
  return [...byRow.values()].sort((a, b) => a.row - b.row);
}

export interface ParsedWave {
  /** Rows that passed every check, in the file's order. */
  users: WaveUser[];
  bad: BadRow[];
  /** Problems of the whole file (its header, no users): nothing in it can be read as a wave. */
  fileProblems: string[];
}

/** Reads and checks a wave's CSV text: header, every row's shape and fields (the ReachBackUser
 * schema), and duplicates within the wave (a source user or a target address on two rows). */
export function parseWave(text: string): ParsedWave {
  const records = parseCsv(text);
  const header = records[0];
  if (!header) return { users: [], bad: [], fileProblems: [headerHint("the file is empty")] };
  if (!header.fields) {
    return { users: [], bad: [], fileProblems: [`the header row (row 1) cannot be read: ${header.error}`] };
  }
  const columns = header.fields.map((c) => c.trim());
  const fileProblems = headerProblems(columns);
  if (fileProblems.length > 0) return { users: [], bad: [], fileProblems };

  const bad: BadRow[] = [];
  const good: WaveUser[] = [];
  for (const r of records.slice(1)) {
    if (!r.fields) {
      bad.push({
        row: r.row,
        user: "no user",
        problem: `cannot be read (line ${r.line})`,
        fix: r.error ?? "",
      });
      continue;
    }
    const userAt = columns.indexOf("sourceUserPrincipalName");
    const user = r.fields[userAt]?.trim() || "no user";
    if (r.fields.length !== columns.length) {
      bad.push({
        row: r.row,
        user,
        problem: `has ${r.fields.length} field(s) where the header has ${columns.length} (${columns.join(", ")})`,
        fix: "quote a field that contains a comma, or add or remove fields to match the header",
      });
      continue;
    }
    const raw: Record<string, string | undefined> = {};
    columns.forEach((c, i) => {
      // An empty optional cell takes the default, as a missing column does.
      raw[c] = c === "mailboxMigration" && r.fields?.[i].trim() === "" ? undefined : r.fields?.[i];
    });
    const parsed = waveRowSchema.safeParse(raw);
    if (!parsed.success) {
      const said = parsed.error.issues.map((i) => {
        const column = String(i.path[0] ?? "row");
        return `${column} ${JSON.stringify(raw[column] ?? "")} ${i.message}`;
      });
      bad.push({ row: r.row, user, problem: said.join("; "), fix: "correct the row in the CSV" });
      continue;
    }
    good.push({ ...parsed.data, row: r.row });
  }
  if (good.length === 0 && bad.length === 0)
    fileProblems.push(headerHint("the file has a header but no users"));

  // Two rows for one source user would be two resources holding one user; two rows for one target
  // address would link two source users to one identity. Which row is right cannot be told: both go.
  const duplicates = new Set<WaveUser>();
  for (const column of ["sourceUserPrincipalName", "targetEmailAddress"] as const) {
    const rows = new Map<string, WaveUser[]>();
    for (const u of good) {
      const key = u[column].toLowerCase();
      rows.set(key, [...(rows.get(key) ?? []), u]);
    }
    for (const same of rows.values()) {
      if (same.length < 2) continue;
      for (const u of same) {
        duplicates.add(u);
        const others = same.filter((o) => o !== u).map((o) => o.row);
        bad.push({
          row: u.row,
          user: u.sourceUserPrincipalName,
          problem: `${column} ${u[column]} is on row ${others.join(", ")} too`,
          fix:
            column === "sourceUserPrincipalName"
              ? "list each user once: keep the right row and remove the other"
              : "each user has their own target address: correct the wrong row",
        });
      }
    }
  }
  return { users: good.filter((u) => !duplicates.has(u)), bad: mergeBadRows(bad), fileProblems };
}

function headerHint(problem: string): string {
  return `${problem}; the first row must name the columns: ${WAVE_COLUMNS.join(",")} (mailboxMigration optional), then one row per user`;
}

function headerProblems(columns: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) problems.push(`the header names column ${JSON.stringify(c)} twice; keep one`);
    seen.add(c);
    if ((WAVE_COLUMNS as readonly string[]).includes(c)) continue;
    const near = closest(c, WAVE_COLUMNS);
    problems.push(
      `the header has an unknown column ${JSON.stringify(c)}; ${near ? `did you mean ${near}?` : `the columns are ${WAVE_COLUMNS.join(", ")}`}`,
    );
  }
  for (const c of REQUIRED) {
    if (!seen.has(c) && !problems.some((p) => p.includes(`did you mean ${c}?`))) {
      problems.push(headerHint(`the header has no column ${c}`));
    }
  }
  return problems;
}

/** Precondition problems (lib/reachBack/preconditions.ts) as bad rows: the user's row, or every
 * row for a problem of the whole wave (the tenants' pairing). */
export function preconditionBadRows(
  problems: readonly PreconditionProblem[],
  users: readonly WaveUser[],
): { bad: BadRow[]; waveProblems: string[] } {
  const rowOf = new Map(users.map((u) => [u.sourceUserPrincipalName.toLowerCase(), u]));
  const bad: BadRow[] = [];
  const waveProblems: string[] = [];
  for (const p of problems) {
    const u = rowOf.get(p.user.toLowerCase());
    if (u) bad.push({ row: u.row, user: u.sourceUserPrincipalName, problem: p.problem, fix: p.fix });
    else waveProblems.push(`${p.user}: ${p.problem}; ${p.fix}`);
  }
  return { bad: mergeBadRows(bad), waveProblems };
}
