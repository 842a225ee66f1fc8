// The journal: per user, the original values before the first write and the steps after, kept
// in a JournalStore. Writers append records that are validated, checksummed and created whole
// or not at all; readers list users, show a user's history and say what to restore. Many users
// are written at once by one process (the dynamic provider serves a whole deployment); records of
// one user are written one after another, and a second process racing on the same user loses
// the race cleanly (the store's create-if-absent) and decides again on what the winner wrote.
import { randomBytes } from "node:crypto";
import * as os from "node:os";
import type { z } from "zod";
import {
  decodeRecord,
  encodeRecord,
  type FoundRecord,
  JOURNAL_SCHEMA_VERSION,
  type JournalRecord,
  journalRecordSchema,
  type OriginalValues,
  originalValuesSchema,
  type StepName,
  type StepRecord,
  type StepWrites,
  scrubSecrets,
  stepNameSchema,
  stepWritesSchema,
  userKey,
} from "./records";
import { summarize, type UserSummary } from "./restore";
import type { InterruptedWrite, JournalStore } from "./store";

/** A stored record that is not a whole, valid record of this user in its place. */
export interface RecordProblem {
  location: string;
  seq?: number;
  reason: string;
}

export interface UserHistory {
  user: string;
  /** The whole records, in order. */
  records: JournalRecord[];
  /** Torn, damaged, misplaced or missing records: the history cannot be trusted until someone
   * looks (see JournalCorruptError). */
  problems: RecordProblem[];
  /** Writes a killed process left unfinished: never part of the history. */
  interrupted: InterruptedWrite[];
  /** Files in the user's place that are not records (a copy an operator moved aside). */
  strangers: string[];
}

export interface UserReport extends UserSummary {
  records: JournalRecord[];
  problems: RecordProblem[];
  interrupted: InterruptedWrite[];
  strangers: string[];
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalError";
  }
}

/** The user's history has records that are not whole: nothing more is written for the user until
 * a person has looked, since a torn record may have been the original. */
export class JournalCorruptError extends JournalError {
  constructor(
    readonly user: string,
    readonly problems: readonly RecordProblem[],
  ) {
    super(
      `the journal of ${user} has records that are not whole, so the user's original values cannot be ` +
        `trusted and nothing more is written for this user:\n${problems
          .map((p) => `  - ${p.location}: ${p.reason}`)
          .join("\n")}\n` +
        `check the user in AD and Entra against \`coex journal show ${user}\`; a torn last record is a write ` +
        "that never finished: move that file out of the user's directory (keep it), then run again",
    );
    this.name = "JournalCorruptError";
  }
}

export interface JournalOptions {
  /** Identifies this run in every record (default: host, process id and a random part). */
  runId?: string;
  /** The clock records are stamped with (tests replace it). */
  now?: () => Date;
}

type NewRecord =
  z.input<typeof journalRecordSchema> extends infer R
    ? R extends { kind: string }
      ? Omit<R, "schema" | "seq" | "user" | "at" | "runId">
      : never
    : never;

export class Journal {
  readonly runId: string;
  private readonly now: () => Date;
  /** Per user, the tail of the writes queued for it (one at a time per user). */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per user, the history as this process last read or wrote it. Safe to append from: a record
   * another process added since takes the next number, so our create fails and we read again. */
  private readonly known = new Map<string, UserHistory>();

  constructor(
    readonly store: JournalStore,
    options: JournalOptions = {},
  ) {
    this.runId = options.runId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Records the user's original values, unless an original is already recorded for the current
   * cycle: then that one is returned and nothing is written. A re-run after a crash finds the
   * user half changed; what it reads then is not the original, and must never replace it.
   */
  async recordOriginal(
    user: string,
    original: OriginalValues,
  ): Promise<{ record: FoundRecord; recorded: boolean }> {
    const parsed = originalValuesSchema.safeParse(original);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new JournalError(
        `the original values of ${user} are not valid journal values (${i.path.join(".")}: ${i.message}); nothing was written`,
      );
    }
    let existing: FoundRecord | undefined;
    // Read afresh: the first call of a run for a user sees what other runs left, damage included.
    const record = await this.append(user, { fresh: true }, (h) => {
      const s = summarize(h.user, h.records);
      if (s.found && (s.state === "in-progress" || s.state === "completed")) {
        existing = s.found;
        return undefined;
      }
      return { kind: "found", original: parsed.data };
    });
    return existing
      ? { record: existing, recorded: false }
      : { record: record as FoundRecord, recorded: true };
  }

  /** Records that the user's run reached `step` and what it is about to write. Call it before
   * the step writes: a crash inside the step then still shows what it may have changed. */
  async recordStep(user: string, step: StepName, writes?: StepWrites, note?: string): Promise<StepRecord> {
    stepNameSchema.parse(step);
    const w = writes === undefined ? undefined : stepWritesSchema.parse(writes);
    return (await this.append(user, {}, (h) => {
      this.requireOriginal(h, `step ${step}`);
      return {
        kind: "step",
        step,
        ...(w ? { writes: w } : {}),
        ...(note ? { note: scrubSecrets(note) } : {}),
      };
    })) as StepRecord;
  }

  /** Records that `step` failed, with the error's message (credentials in it are removed). */
  async recordFailure(user: string, step: StepName, error: unknown): Promise<JournalRecord> {
    const message = scrubSecrets(error instanceof Error ? error.message : String(error));
    return (await this.append(user, {}, (h) => {
      this.requireOriginal(h, `the failure of ${step}`);
      return { kind: "failed", step, error: message };
    })) as JournalRecord;
  }

  /** Records that the procedure finished and was verified. */
  async recordCompleted(user: string, note?: string): Promise<JournalRecord> {
    return (await this.append(user, {}, (h) => {
      this.requireOriginal(h, "completion");
      return { kind: "completed", ...(note ? { note: scrubSecrets(note) } : {}) };
    })) as JournalRecord;
  }

  /** Records that the user is back at the original values; a later run records originals afresh. */
  async recordReverted(user: string, note?: string): Promise<JournalRecord> {
    return (await this.append(user, {}, (h) => {
      this.requireOriginal(h, "a revert");
      return { kind: "reverted", ...(note ? { note: scrubSecrets(note) } : {}) };
    })) as JournalRecord;
  }

  /** Every user the journal has records (or unfinished writes) for. */
  async users(): Promise<string[]> {
    return (await this.store.users()).sort();
  }

  /** The user's history as stored now, every record checked. */
  async history(user: string): Promise<UserHistory> {
    const key = userKey(user);
    const stored = await this.store.read(key);
    const records: JournalRecord[] = [];
    const problems: RecordProblem[] = [];
    let expected = 1;
    for (const s of stored.records) {
      if (s.seq > expected) {
        problems.push({
          location: s.location,
          seq: expected,
          reason: `record${s.seq - expected > 1 ? `s ${expected} to ${s.seq - 1} are` : ` ${expected} is`} missing before it`,
        });
      }
      expected = s.seq + 1;
      const d = decodeRecord(s.text);
      if (!d.ok) problems.push({ location: s.location, seq: s.seq, reason: d.reason });
      else if (d.record.seq !== s.seq || d.record.user !== key) {
        problems.push({
          location: s.location,
          seq: s.seq,
          reason: `holds record ${d.record.seq} of ${d.record.user}, not record ${s.seq} of ${key} (copied into the wrong place?)`,
        });
      } else records.push(d.record);
    }
    return { user: key, records, problems, interrupted: stored.interrupted, strangers: stored.strangers };
  }

  /** The user's history and what it means: state, last step, originals and what to restore. */
  async report(user: string): Promise<UserReport> {
    const h = await this.history(user);
    return {
      ...summarize(h.user, h.records),
      records: h.records,
      problems: h.problems,
      interrupted: h.interrupted,
      strangers: h.strangers,
    };
  }

  private requireOriginal(h: UserHistory, what: string): void {
    const s = summarize(h.user, h.records);
    if (s.state === "in-progress" || s.state === "completed") return;
    throw new JournalError(
      `cannot record ${what} for ${h.user}: no original values are recorded for the current run ` +
        `(${s.state === "reverted" ? "the last run was reverted" : "none at all"}); the journal must hold them before the first write (recordOriginal)`,
    );
  }

  /** Appends what `decide` returns as the user's next record (nothing when it returns undefined),
   * one write per user at a time, again on a fresh read when another process took the number. */
  private append(
    user: string,
    options: { fresh?: boolean },
    decide: (h: UserHistory) => NewRecord | undefined,
  ): Promise<JournalRecord | undefined> {
    const key = userKey(user);
    const run = async (): Promise<JournalRecord | undefined> => {
      let h = (!options.fresh && this.known.get(key)) || (await this.history(key));
      // Another process can win each attempt only by writing a record, so this ends.
      for (let attempt = 0; attempt < 1000; attempt++) {
        if (h.problems.length > 0) throw new JournalCorruptError(key, h.problems);
        const next = decide(h);
        if (next === undefined) {
          this.known.set(key, h);
          return undefined;
        }
        const seq = (h.records[h.records.length - 1]?.seq ?? 0) + 1;
        const record = journalRecordSchema.parse({
          ...next,
          schema: JOURNAL_SCHEMA_VERSION,
          seq,
          user: key,
          at: this.now().toISOString(),
          runId: this.runId,
        });
        if (await this.store.create(key, seq, record.kind, encodeRecord(record))) {
          this.known.set(key, { ...h, records: [...h.records, record] });
          return record;
        }
        h = await this.history(key);
      }
      throw new JournalError(
        `could not append to the journal of ${key}: other writers kept taking the next record`,
      );
    };
    const queued = (this.queues.get(key) ?? Promise.resolve()).then(run, run);
    const tail = queued.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return queued;
  }
}
