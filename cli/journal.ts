// `coex journal list|show`: a stack's journal of per-user original values, read-only. Where it is
// comes from the stack: entra-coexistence:journal.directory, else beside the state of a file
// backend (lib/journal/location.ts).
import { CONFIG_NAMESPACE, findProjectDir } from "../lib/config/stackConfig";
import { type JournalConfig, journalConfigSchema } from "../lib/journal/config";
import { JournalError, type UserReport } from "../lib/journal/journal";
import {
  currentBackendUrl,
  JournalLocationError,
  journalLocation,
  openJournal,
  projectNameOf,
} from "../lib/journal/location";
import type { AdAttributes, GroupRef, JournalRecord } from "../lib/journal/records";
import { describeStep } from "../lib/journal/restore";
import { JournalStoreError } from "../lib/journal/store";
import { pulumi, type StackRef } from "./stack";

type Print = (line: string) => void;

/** Exit codes: 0 shown, 1 not found or not readable, 2 shown but the journal has damaged records. */
export async function journalShowCommand(ref: StackRef, user: string, print: Print): Promise<number> {
  const opened = await openStackJournal(ref, print);
  if (!opened) return 1;
  const report = await opened.journal.report(user);
  if (report.records.length === 0 && report.problems.length === 0 && report.interrupted.length === 0) {
    print(`${user}: no records in the journal of stack ${ref.stack} (${opened.where})`);
    print(`\`coex journal list --stack ${ref.stack}\` lists the users it has`);
    return 1;
  }
  print(`journal of ${report.user}, stack ${ref.stack}`);
  print(`  ${opened.where}`);
  for (const line of showReport(report)) print(line);
  return report.problems.length > 0 ? 2 : 0;
}

export async function journalListCommand(ref: StackRef, print: Print): Promise<number> {
  const opened = await openStackJournal(ref, print);
  if (!opened) return 1;
  const users = await opened.journal.users();
  print(`journal of stack ${ref.stack}: ${users.length} user(s)`);
  print(`  ${opened.where}`);
  if (users.length === 0) return 0;
  const rows: string[][] = [];
  let damaged = false;
  for (const u of users) {
    const r = await opened.journal.report(u);
    const flags = [
      r.restore.primaryAtRisk ? "PRIMARY SMTP MAY BE THE TARGET ADDRESS" : "",
      r.failure ? `failed at ${r.failure.step}` : "",
      r.problems.length > 0 ? `${r.problems.length} damaged record(s)` : "",
    ].filter(Boolean);
    damaged ||= r.problems.length > 0;
    rows.push([
      r.user,
      stateText(r.state),
      r.lastStep ?? (r.found ? "found" : "-"),
      r.last?.at ?? "-",
      String(r.records.length),
      flags.join("; "),
    ]);
  }
  print("");
  for (const line of table(
    ["user", "state", "last step", "last record (UTC)", "records", "attention"],
    rows,
  )) {
    print(line);
  }
  return damaged ? 2 : 0;
}

/** The stack's journal, read-only, and where it is; undefined (after saying why) when it cannot be
 * opened. */
export async function openStackJournal(ref: StackRef, print: Print) {
  const projectDir = findProjectDir();
  try {
    const config = journalConfigOf(ref);
    const project = projectNameOf(projectDir);
    const location = journalLocation({
      project,
      stack: ref.stack,
      config,
      backendUrl: config ? undefined : currentBackendUrl(projectDir),
      projectDir,
    });
    const journal = await openJournal(location, project, ref.stack, { create: false });
    return { journal, where: `${location.directory} (${location.reason})` };
  } catch (e) {
    if (e instanceof JournalLocationError || e instanceof JournalStoreError || e instanceof JournalError) {
      print(`coex journal: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

/** entra-coexistence:journal from the stack's configuration, without its secrets (none needed). */
function journalConfigOf(ref: StackRef): JournalConfig | undefined {
  const all = JSON.parse(pulumi(["config", "--json"], ref)) as Record<string, { value?: string }>;
  const raw = all[`${CONFIG_NAMESPACE}:journal`]?.value;
  if (raw === undefined) return undefined;
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {}
  const parsed = journalConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new JournalLocationError(
      parsed.error.issues
        .map((i) => {
          const key = `${CONFIG_NAMESPACE}:journal${i.path.length > 0 ? `.${i.path.join(".")}` : ""}`;
          return i.code === "unrecognized_keys"
            ? `${key}: unknown key ${i.keys.map((k) => JSON.stringify(k)).join(", ")}; the key here is directory`
            : `${key}: ${i.message}`;
        })
        .join("\n  "),
    );
  }
  return parsed.data;
}

/** The lines `coex journal show` prints after its heading. */
export function showReport(r: UserReport): string[] {
  const out: string[] = [];
  let state = `state: ${stateText(r.state)}`;
  if (r.lastStep) state += `; last step ${describeStep(r.lastStep)}`;
  out.push(state);
  if (r.restore.primaryAtRisk) {
    out.push(
      "  ATTENTION: the primary SMTP address is, or may be, the target address: run `pulumi up` on the stack to finish or revert this user",
    );
  }
  if (r.failure)
    out.push(`  last failure, at ${describeStep(r.failure.step)} (${r.failure.at}): ${r.failure.error}`);
  for (const a of r.anomalies) out.push(`  anomaly: ${a}`);

  if (r.found) {
    const o = r.found.original;
    out.push("");
    out.push(
      `original values (record ${r.found.seq}, ${r.found.at}, run ${r.found.runId}; ${o.mailboxMigration} path)`,
    );
    const rows: string[][] = [
      ["AD object", o.ad.distinguishedName],
      ["objectGUID", o.ad.objectGuid],
      ["source user id", o.sourceUserId],
      ...adRows(o.ad.attributes),
      ["license groups", o.groups.length > 0 ? o.groups.map(groupText).join("\n") : "(none)"],
      [
        "direct licenses",
        o.directLicenses.length > 0
          ? o.directLicenses
              .map(
                (l) =>
                  `${l.skuPartNumber ?? l.skuId}: disabled plans ${l.disabledPlans.length > 0 ? l.disabledPlans.join(", ") : "(none)"}`,
              )
              .join("\n")
          : "(none)",
      ],
    ];
    out.push(...table(["attribute", "original value"], rows).map((l) => `  ${l}`));
  }

  out.push("");
  out.push("history");
  out.push(
    ...table(
      ["#", "time (UTC)", "run", "event"],
      r.records.map((rec) => [String(rec.seq), rec.at, rec.runId, eventText(rec)]),
    ).map((l) => `  ${l}`),
  );

  const plan = r.restore;
  const restoreRows: string[][] = [];
  for (const [name, value] of adRows(plan.ad as AdAttributes)) {
    const by =
      plan.adChangedBy[name as keyof typeof plan.adChangedBy] ??
      plan.adChangedBy[`extensionAttributes.${name}` as keyof typeof plan.adChangedBy];
    restoreRows.push([name, value, by ?? ""]);
  }
  for (const g of plan.groups.rejoin) restoreRows.push(["rejoin license group", groupText(g), ""]);
  for (const g of plan.groups.leave) restoreRows.push(["leave license group", groupText(g), ""]);
  for (const l of plan.directLicenses) {
    restoreRows.push([
      `direct license ${l.skuPartNumber ?? l.skuId}`,
      `disabled plans ${l.disabledPlans.join(", ") || "(none)"}`,
      "",
    ]);
  }
  if (r.found && r.state !== "reverted") {
    out.push("");
    if (restoreRows.length === 0) out.push("to put the user back as found: nothing was changed yet");
    else {
      out.push("to put the user back as found (what a revert or rollbackOnDelete writes)");
      out.push(...table(["what", "back to", "changed by step"], restoreRows).map((l) => `  ${l}`));
    }
    for (const u of plan.unknownOriginals) out.push(`  NO ORIGINAL RECORDED for ${u}: check it by hand`);
  }

  if (r.problems.length > 0) {
    out.push("");
    out.push("damaged records (nothing more is written for this user until a person has looked):");
    for (const p of r.problems) out.push(`  - ${p.location}: ${p.reason}`);
    out.push(
      "  a torn last record is a write that never finished: move that file out of the user's directory (keep it), then run again",
    );
  }
  if (r.interrupted.length > 0) {
    out.push("");
    out.push("unfinished writes left by a stopped process (never part of the history; they may be deleted):");
    for (const i of r.interrupted) {
      out.push(`  - ${i.location}${i.alsoStored ? " (its record was stored whole)" : " (not applied)"}`);
    }
  }
  if (r.strangers.length > 0) {
    out.push("");
    out.push("other files in the user's directory (not read):");
    for (const s of r.strangers) out.push(`  - ${s}`);
  }
  return out;
}

function stateText(state: UserReport["state"]): string {
  return state.replace("-", " ");
}

function adRows(a: Partial<AdAttributes>): string[][] {
  const rows: string[][] = [];
  const show = (v: string | number | null) => (v === null ? "(not set)" : String(v));
  if (a.mail !== undefined) rows.push(["mail", show(a.mail)]);
  if (a.proxyAddresses !== undefined) {
    rows.push(["proxyAddresses", a.proxyAddresses.length > 0 ? a.proxyAddresses.join("\n") : "(none)"]);
  }
  if (a.targetAddress !== undefined) rows.push(["targetAddress", show(a.targetAddress)]);
  for (const k of [
    "msExchRecipientDisplayType",
    "msExchRecipientTypeDetails",
    "msExchRemoteRecipientType",
  ] as const) {
    if (a[k] !== undefined) rows.push([k, show(a[k])]);
  }
  for (const [k, v] of Object.entries(a.extensionAttributes ?? {})) rows.push([k, show(v ?? null)]);
  return rows;
}

function groupText(g: GroupRef): string {
  const source = g.source === "cloud" ? "cloud" : "on-premises";
  return g.displayName ? `${g.displayName} (${g.id}, ${source})` : `${g.id} (${source})`;
}

function eventText(r: JournalRecord): string {
  switch (r.kind) {
    case "found":
      return "found: original values recorded";
    case "step": {
      const w = r.writes;
      const parts: string[] = [];
      for (const [name, value] of adRows(w?.ad ?? {})) parts.push(`${name}=${value.replace(/\n/g, ", ")}`);
      for (const g of w?.groupsAdded ?? []) parts.push(`+group ${g.displayName ?? g.id}`);
      for (const g of w?.groupsRemoved ?? []) parts.push(`-group ${g.displayName ?? g.id}`);
      for (const l of w?.directLicenses ?? []) {
        parts.push(`${l.skuPartNumber ?? l.skuId} disabled plans ${l.disabledPlans.length}`);
      }
      if (r.note) parts.push(r.note);
      return `step ${describeStep(r.step)}${parts.length > 0 ? `\n  ${parts.join("\n  ")}` : ""}`;
    }
    case "failed":
      return `failed at ${r.step}: ${r.error}`;
    case "completed":
      return `completed${r.note ? `: ${r.note}` : ""}`;
    case "reverted":
      return `reverted: back as found${r.note ? ` (${r.note})` : ""}`;
  }
}

/** Rows under a header, columns padded; a cell with line breaks continues on the lines below. */
export function table(header: string[], rows: string[][]): string[] {
  const cells = [header, ...rows].map((row) => row.map((c) => c.split("\n")));
  const widths = header.map((_, i) =>
    Math.max(...cells.map((row) => Math.max(...row[i].map((l) => l.length)))),
  );
  const lines: string[] = [];
  for (const row of cells) {
    const height = Math.max(...row.map((c) => c.length));
    for (let j = 0; j < height; j++) {
      lines.push(
        row
          .map((c, i) => (c[j] ?? "").padEnd(widths[i]))
          .join("  ")
          .trimEnd(),
      );
    }
  }
  return lines;
}
