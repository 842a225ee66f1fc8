// How far a wave has got: the users a provider process is enabling, counted per step, said as one
// line at most every interval while any is in flight ("reach-back progress: 1000 users: 412
// synced, 560 verified, 28 failed"), so that the Pulumi display of a wave of thousands shows where
// it is without a line per user per step having to be read.
import type { ReachBackStep } from "./userSchema";

export type ProgressState = ReachBackStep | "failed";

export class WaveProgress {
  private readonly steps = new Map<string, ProgressState>();
  private lastSaid = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly say: (line: string) => void,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user reached `state`. */
  step(user: string, state: ProgressState): void {
    this.steps.set(user.toLowerCase(), state);
    if (this.steps.size < 2) return;
    if (this.now() - this.lastSaid >= this.intervalMs) this.sayNow();
    else if (!this.timer && this.inFlight() > 0) {
      // A last line once the interval has passed, even if no user moves meanwhile.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sayNow();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** The line as it would be said now. */
  summary(): string {
    const counts = new Map<ProgressState, number>();
    for (const s of this.steps.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    const order: ProgressState[] = [
      "preconditions",
      "journaled",
      "licensed",
      "addressSwapped",
      "synced",
      "invited",
      "reverted",
      "verified",
      "failed",
    ];
    const parts = order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${WORDS[s]}`);
    return `reach-back progress: ${this.steps.size} users: ${parts.join(", ")}`;
  }

  private inFlight(): number {
    let n = 0;
    for (const s of this.steps.values()) if (s !== "verified" && s !== "failed") n++;
    return n;
  }

  private sayNow(): void {
    this.lastSaid = this.now();
    this.say(this.summary());
  }
}

/** Each state as the line says it: where the user is, not only the step's name. */
const WORDS: Record<ProgressState, string> = {
  preconditions: "checking preconditions",
  journaled: "originals journaled",
  licensed: "at the license step",
  addressSwapped: "converting in AD",
  synced: "waiting for Entra Connect",
  invited: "being invited",
  reverted: "waiting for the revert to sync",
  verified: "verified",
  failed: "failed",
};
