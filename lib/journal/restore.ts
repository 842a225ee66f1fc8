// What a user's journal says: where the user's run got to, and what to write to put the user back
// as found. Pure functions of the records, so the crash recovery, the rollback on delete and
// `coex journal show` agree on one reading.
import { primarySmtp, sameAddress } from "../addresses/proxyAddresses";
import {
  type AdAttributes,
  type DirectLicense,
  type FoundRecord,
  type GroupRef,
  type JournalRecord,
  STEPS,
  type StepName,
} from "./records";

/**
 * - not-started: no original recorded: this stack never changed the user.
 * - in-progress: originals recorded and the run not finished (it is running, it failed, or it
 *   crashed): the next run finishes or reverts the user.
 * - completed: the procedure finished and was verified.
 * - reverted: the user was put back as found; a later run records the originals afresh.
 */
export type UserState = "not-started" | "in-progress" | "completed" | "reverted";

export interface RestorePlan {
  /** The AD attributes some step wrote (or was about to write), with the values to write back
   * (null clears), ready for the directory client. */
  ad: Partial<AdAttributes>;
  /** Which step first wrote each of them, for people. */
  adChangedBy: Partial<Record<keyof AdAttributes | `extensionAttributes.${string}`, StepName>>;
  /** License groups a step changed: those the user was in go back in, the others are left. */
  groups: { rejoin: GroupRef[]; leave: GroupRef[] };
  /** Direct assignments a step changed, with the disabled plans they had. */
  directLicenses: DirectLicense[];
  /** A step wrote something whose original the journal does not hold (a defect: the journal
   * must hold it before the write). The caller must stop and say so rather than guess. */
  unknownOriginals: string[];
  /** The primary SMTP is, or may be, the target address: a step swapped it and no later record
   * shows the revert finished. No user may stay so: put mail and proxyAddresses back first. */
  primaryAtRisk: boolean;
}

export interface UserSummary {
  user: string;
  state: UserState;
  /** The original values of the current cycle (or of the last one, once reverted). */
  found?: FoundRecord;
  last?: JournalRecord;
  lastStep?: StepName;
  /** The last failure of the current cycle, unless a later step went past it. */
  failure?: { step: StepName; error: string; at: string };
  restore: RestorePlan;
  /** Records that break the journal's rules (a second original in one cycle, a step before any
   * original). The writer never makes them; they mean the journal was edited. */
  anomalies: string[];
}

const emptyPlan = (): RestorePlan => ({
  ad: {},
  adChangedBy: {},
  groups: { rejoin: [], leave: [] },
  directLicenses: [],
  unknownOriginals: [],
  primaryAtRisk: false,
});

interface Cycle {
  found: FoundRecord;
  after: JournalRecord[];
  reverted: boolean;
}

/** The user's records split into cycles: each starts at an original ("found") and a revert ends
 * it. Records out of place are anomalies. */
function cyclesOf(records: readonly JournalRecord[]): { cycles: Cycle[]; anomalies: string[] } {
  const cycles: Cycle[] = [];
  const anomalies: string[] = [];
  for (const r of records) {
    const open =
      cycles.length > 0 && !cycles[cycles.length - 1].reverted ? cycles[cycles.length - 1] : undefined;
    if (r.kind === "found") {
      if (open)
        anomalies.push(
          `record ${r.seq}: a second original in one cycle (the first, record ${open.found.seq}, holds)`,
        );
      else cycles.push({ found: r, after: [], reverted: false });
    } else if (!open) {
      anomalies.push(`record ${r.seq} (${r.kind}): no original recorded before it`);
    } else {
      open.after.push(r);
      if (r.kind === "reverted") open.reverted = true;
    }
  }
  return { cycles, anomalies };
}

export function summarize(user: string, records: readonly JournalRecord[]): UserSummary {
  const { cycles, anomalies } = cyclesOf(records);
  const last = records[records.length - 1];
  const cycle = cycles[cycles.length - 1];
  if (!cycle) return { user, state: "not-started", last, restore: emptyPlan(), anomalies };
  const lastOfCycle = cycle.after[cycle.after.length - 1];
  const state: UserState = cycle.reverted
    ? "reverted"
    : lastOfCycle?.kind === "completed"
      ? "completed"
      : "in-progress";
  let lastStep: StepName | undefined;
  let failure: UserSummary["failure"];
  for (const r of cycle.after) {
    if (r.kind === "step") {
      lastStep = r.step;
      failure = undefined;
    } else if (r.kind === "failed") failure = { step: r.step, error: r.error, at: r.at };
  }
  return {
    user,
    state,
    found: cycle.found,
    last,
    lastStep,
    failure,
    restore: cycle.reverted ? emptyPlan() : restorePlan(cycle.found, cycle.after),
    anomalies,
  };
}

/** What to write to put the user back as found, from the originals and the steps announced after
 * them (each step is recorded before it writes, so a step cut short by a crash is included). */
export function restorePlan(found: FoundRecord, after: readonly JournalRecord[]): RestorePlan {
  const plan = emptyPlan();
  const original = found.original;
  const attrs = original.ad.attributes;
  const touchedGroups = new Map<string, GroupRef>();
  const touchedSkus = new Set<string>();
  // The primary is at risk from a swap until a record after the step that put it back shows that
  // step finished: the next step, or the end of the run (a failure shows it did not).
  let risk = false;
  let clearRiskOnNextRecord = false;
  // The step that put the addresses back: a record after it proves it ran to the end, except a
  // failure of that very step (a failure of another step is written after the revert finished).
  let revertStep: string | undefined;
  for (const r of after) {
    if (clearRiskOnNextRecord && (r.kind !== "failed" || r.step !== revertStep)) {
      risk = false;
      clearRiskOnNextRecord = false;
    }
    if (r.kind === "completed" || r.kind === "reverted") risk = false;
    if (r.kind !== "step" || !r.writes) continue;
    const w = r.writes;
    for (const [name, value] of Object.entries(w.ad ?? {}) as [keyof AdAttributes, unknown][]) {
      if (value === undefined) continue;
      if (name === "extensionAttributes") {
        for (const ext of Object.keys(value as object) as (keyof NonNullable<
          AdAttributes["extensionAttributes"]
        >)[]) {
          const originals = attrs.extensionAttributes;
          if (!originals || !(ext in originals)) {
            plan.unknownOriginals.push(`${ext} (written by ${r.step})`);
            continue;
          }
          plan.ad.extensionAttributes = { ...plan.ad.extensionAttributes, [ext]: originals[ext] ?? null };
          plan.adChangedBy[`extensionAttributes.${ext}`] ??= r.step;
        }
        continue;
      }
      (plan.ad as Record<string, unknown>)[name] = attrs[name];
      plan.adChangedBy[name] ??= r.step;
    }
    if (w.ad?.mail !== undefined || w.ad?.proxyAddresses !== undefined) {
      const mailMoved = w.ad.mail !== undefined && !same(w.ad.mail, attrs.mail);
      const primaryMoved =
        w.ad.proxyAddresses !== undefined &&
        !same(primarySmtp(w.ad.proxyAddresses), primarySmtp(attrs.proxyAddresses));
      if (mailMoved || primaryMoved) risk = true;
      else {
        clearRiskOnNextRecord = risk;
        revertStep = r.step;
      }
    }
    for (const g of [...(w.groupsAdded ?? []), ...(w.groupsRemoved ?? [])]) touchedGroups.set(g.id, g);
    for (const l of w.directLicenses ?? []) touchedSkus.add(l.skuId);
  }
  plan.primaryAtRisk = risk;
  const wasIn = new Map(original.groups.map((g) => [g.id, g]));
  for (const [id, g] of touchedGroups) {
    const mine = wasIn.get(id);
    if (mine) plan.groups.rejoin.push(mine);
    else plan.groups.leave.push(g);
  }
  for (const sku of touchedSkus) {
    const had = original.directLicenses.find((l) => l.skuId === sku);
    if (had) plan.directLicenses.push(had);
    else plan.unknownOriginals.push(`direct license ${sku} (not assigned directly when found)`);
  }
  return plan;
}

/** Two optional addresses are the same (both absent, or equal as addresses). */
function same(a: string | null | undefined, b: string | null | undefined): boolean {
  return a == null || b == null ? a == null && b == null : sameAddress(a, b);
}

/** A step's name for people: "ad.primarySwapped (4: mail and primary SMTP set to the target address)". */
export function describeStep(step: StepName): string {
  const s = STEPS[step];
  return s.design > 0 ? `${step} (${s.design}: ${s.text})` : `${step} (${s.text})`;
}
