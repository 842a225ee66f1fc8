// Asking Entra Connect for a delta cycle. Entra Connect has no cloud API: the operator gives a
// command (entra-coexistence:entraConnect.deltaSyncCommand, run with a shell), e.g. PowerShell
// remoting to `Start-ADSyncSyncCycle -PolicyType Delta`, which fails while a cycle runs ("busy"):
// such an answer is tried again after a while; any other failure is reported with the command's
// exit code and output. Requests from many users share cycles: a request made while a run is in
// flight shares the next run (started after the current one, so it sees every write made before
// the request), never the current one.
// A wave's users also gather before they ask (enter/SyncParticipant): a request waits until every
// run of the process that entered waits for a cycle too, so that one cycle carries all their
// writes instead of the first user's cycle carrying a few and the rest needing the next one.
import { spawn } from "node:child_process";
import type { EntraConnectConfig } from "../config/reachBack";
import { CONFIG_NAMESPACE } from "../config/stackConfig";
import { type Clock, systemClock } from "../graph/consistency";
import { scrubSecrets } from "../journal/records";

export class SyncHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncHookError";
  }
}

export interface CommandRun {
  exitCode: number | null;
  /** stdout and stderr together. */
  output: string;
  timedOut: boolean;
}

/** Runs `command` with the system shell; never throws for a failing command. */
export function runShell(command: string, timeoutMs: number): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that a command that does not return is stopped with everything
    // it started (a shell's children keep the output open otherwise).
    const child = spawn(command, { shell: true, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
    }, timeoutMs);
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, output, timedOut });
    });
  });
}

const KEY = `${CONFIG_NAMESPACE}:entraConnect.deltaSyncCommand`;

export interface DeltaSyncOptions {
  clock?: Clock;
  /** Progress lines (a busy answer, a cycle asked for). */
  log?: (message: string) => void;
  /** How a command is run (tests may count runs). */
  run?: typeof runShell;
  /** GATHER_MAX_MS and GATHER_QUIET_MS, shorter in tests. */
  gatherMaxMs?: number;
  gatherQuietMs?: number;
}

/** How long a run that waits for a cycle waits for the other runs of its process before asking
 * anyway (a run held up elsewhere, e.g. by group license processing, must not hold the rest). */
export const GATHER_MAX_MS = 120_000;
/** Pulumi starts a wave's creates one after another (its checks are serial): a gathering opens no
 * sooner than this after the last run entered, so that runs still starting are waited for. */
export const GATHER_QUIET_MS = 2_000;

/** A run (one user's procedure) that asks for cycles: see DeltaSyncTrigger.enter. */
export interface SyncParticipant {
  /** Asks for a delta cycle once every other entered run waits for one too (or after
   * GATHER_MAX_MS); resolves when the command succeeded. */
  request(): Promise<void>;
  /** The run ended: it no longer holds a gathering open. */
  leave(): void;
}

interface Gathering {
  /** When the first run started waiting. */
  since: number;
  open: () => void;
  opened: Promise<void>;
  timer?: NodeJS.Timeout;
}

export class DeltaSyncTrigger {
  private current?: Promise<void>;
  private next?: Promise<void>;
  /** Entered runs, and those of them waiting in the current gathering. */
  private readonly active = new Set<object>();
  private readonly waiting = new Set<object>();
  private lastEntered = 0;
  private gathering?: Gathering;
  private readonly clock: Clock;
  private readonly run: typeof runShell;
  /** How many times the command was started (busy answers included). */
  commandsRun = 0;

  constructor(
    private readonly config: EntraConnectConfig,
    private readonly options: DeltaSyncOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.run = options.run ?? runShell;
  }

  /** Whether a command is configured at all (without one, the scheduled cycle is waited for). */
  get configured(): boolean {
    return this.config.deltaSyncCommand !== undefined;
  }

  /** Asks for a delta cycle that starts after this call; resolves when the command succeeded.
   * Without a configured command it resolves at once. */
  request(): Promise<void> {
    if (!this.configured) return Promise.resolve();
    if (!this.current) {
      this.current = this.once().finally(() => {
        this.current = undefined;
      });
      return this.current;
    }
    if (!this.next) {
      this.next = this.current
        .catch(() => undefined)
        .then(() => {
          this.next = undefined;
          return this.request();
        });
    }
    return this.next;
  }

  /** A run that will ask for cycles joins the process's gatherings until it leaves. */
  enter(): SyncParticipant {
    const me = {};
    this.active.add(me);
    this.lastEntered = this.clock.now();
    return {
      request: () => this.gather(me),
      leave: () => {
        this.active.delete(me);
        this.waiting.delete(me);
        this.check();
      },
    };
  }

  /** How many entered runs there are and how many wait (tests, progress). */
  get gatheringSize(): { active: number; waiting: number } {
    return { active: this.active.size, waiting: this.waiting.size };
  }

  private gather(me: object): Promise<void> {
    if (!this.configured) return Promise.resolve();
    this.waiting.add(me);
    if (!this.gathering) {
      let open = () => {};
      const opened = new Promise<void>((resolve, reject) => {
        open = () => {
          const g = this.gathering;
          if (g?.timer) clearTimeout(g.timer);
          this.gathering = undefined;
          this.waiting.clear();
          this.request().then(resolve, reject);
        };
      });
      const g: Gathering = { since: this.clock.now(), open, opened };
      this.gathering = g;
    }
    const opened = this.gathering.opened;
    this.check();
    return opened;
  }

  /** Opens the gathering when every entered run waits (and none entered just now), or once its
   * first run has waited GATHER_MAX_MS; otherwise looks again when that could change by time. */
  private check(): void {
    const g = this.gathering;
    if (!g) return;
    if (g.timer) clearTimeout(g.timer);
    g.timer = undefined;
    const now = this.clock.now();
    const quietLeft = this.lastEntered + (this.options.gatherQuietMs ?? GATHER_QUIET_MS) - now;
    const holdLeft = g.since + (this.options.gatherMaxMs ?? GATHER_MAX_MS) - now;
    const everyone = [...this.active].every((p) => this.waiting.has(p));
    if (holdLeft <= 0 || (everyone && quietLeft <= 0)) {
      g.open();
      return;
    }
    g.timer = setTimeout(
      () => this.check(),
      Math.max(1, everyone ? Math.min(quietLeft, holdLeft) : holdLeft),
    );
  }

  /** One request: the command, again while Entra Connect answers busy, until the deadline. */
  private async once(): Promise<void> {
    const command = this.config.deltaSyncCommand as string;
    const busy = new RegExp(this.config.busyPattern, "i");
    const start = this.clock.now();
    const deadline = this.config.syncTimeoutSeconds * 1000;
    for (;;) {
      this.commandsRun++;
      const r = await this.run(command, this.config.commandTimeoutSeconds * 1000).catch((e) => {
        throw new SyncHookError(`${KEY} could not be started: ${(e as Error).message}`);
      });
      if (r.exitCode === 0 && !r.timedOut) return;
      const output = shortOutput(r.output);
      if (r.timedOut) {
        throw new SyncHookError(
          `${KEY} did not finish within ${this.config.commandTimeoutSeconds} s and was stopped; ` +
            `check that it returns once the cycle has started (output: ${output})`,
        );
      }
      if (!busy.test(r.output)) {
        throw new SyncHookError(
          `${KEY} failed (exit code ${r.exitCode}): ${output}; run it by hand on this machine to see why ` +
            `(if this is Entra Connect saying it is busy, set ${CONFIG_NAMESPACE}:entraConnect.busyPattern to match it)`,
        );
      }
      if (this.clock.now() - start >= deadline) {
        throw new SyncHookError(
          `Entra Connect stayed busy for ${this.config.syncTimeoutSeconds} s (${KEY} answered: ${output}); run pulumi up again later`,
        );
      }
      this.options.log?.(
        `Entra Connect is busy with a cycle; asking again in ${this.config.busyRetrySeconds} s`,
      );
      await this.clock.sleep(this.config.busyRetrySeconds * 1000);
    }
  }
}

function shortOutput(output: string): string {
  const text = scrubSecrets(output.trim().replace(/\s+/g, " "));
  if (text === "") return "(no output)";
  return text.length > 400 ? `${text.slice(0, 400)}… (cut)` : text;
}
