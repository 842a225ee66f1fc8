// What the verify commands change on the way, and how to put each change back. A change is
// recorded before it is made, so a write whose answer was lost (a dropped connection, a 5xx after
// Graph committed it) is undone too; one the server refused outright is forgotten, as nothing
// changed. A check undoes its own change when it ends; whatever fails, the command then undoes
// every change not yet undone, newest first, and reports each; a failed undo says what to do by hand.
import { DirectoryError } from "../lib/directory/client";
import { GraphRequestError } from "../lib/graph/client";

export interface UndoRecord {
  what: string;
  result: "done" | "failed";
  detail: string;
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The server answered and refused: the write did not happen (an LDAP result, a Graph 4xx). */
function refused(e: unknown): boolean {
  if (e instanceof DirectoryError) return e.resultCode !== undefined;
  if (e instanceof GraphRequestError) return e.status >= 400 && e.status < 500;
  return false;
}

/** One change: made with run, put back with undo (until an undo succeeds). */
export class Change {
  private state: "recorded" | "refused" | UndoRecord = "recorded";

  constructor(
    readonly what: string,
    private readonly undoIt: () => Promise<string | undefined>,
    private readonly byHand: string,
  ) {}

  /** Makes the change. When the server refuses it, nothing changed and there is nothing to undo. */
  async run<T>(make: () => Promise<T>): Promise<T> {
    try {
      return await make();
    } catch (e) {
      if (refused(e)) this.state = "refused";
      throw e;
    }
  }

  /** Puts the change back unless that is done already; never throws. Returns whether it is undone. */
  async undo(): Promise<boolean> {
    if (this.state === "refused") return true;
    if (typeof this.state === "object" && this.state.result === "done") return true;
    try {
      const note = await this.undoIt();
      this.state = { what: this.what, result: "done", detail: note ?? "undone" };
      return true;
    } catch (e) {
      this.state = { what: this.what, result: "failed", detail: `${reason(e)}; ${this.byHand}` };
      return false;
    }
  }

  /** For the report; undefined when the change never happened. */
  get record(): UndoRecord | undefined {
    if (this.state === "refused") return undefined;
    if (this.state === "recorded")
      return { what: this.what, result: "failed", detail: `not undone: ${this.byHand}` };
    return this.state;
  }
}

export class ChangeLog {
  private readonly changes: Change[] = [];

  /**
   * Records a change before it is made (make it with Change.run).
   * @param undo puts the change back; may return a note for the report.
   * @param byHand what a person does when the undo itself fails.
   */
  record(what: string, undo: () => Promise<string | undefined>, byHand: string): Change {
    const change = new Change(what, undo, byHand);
    this.changes.push(change);
    return change;
  }

  /** Undoes every change not yet undone (a failed undo is tried once more), newest first. */
  async undoAll(): Promise<void> {
    for (const change of [...this.changes].reverse()) await change.undo();
  }

  /** One record per change made, in the order they were made. */
  get records(): UndoRecord[] {
    return this.changes.map((c) => c.record).filter((r): r is UndoRecord => r !== undefined);
  }
}

export function formatUndo(records: readonly UndoRecord[]): string[] {
  if (records.length === 0) return ["undo: nothing was changed"];
  return [
    `undo: ${records.length} change(s)`,
    ...records.map((r) => `  ${r.result === "done" ? "undone" : "FAILED"}  ${r.what}: ${r.detail}`),
  ];
}
