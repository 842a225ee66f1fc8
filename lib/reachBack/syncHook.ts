// Asking Entra Connect for a delta cycle. Entra Connect has no cloud API: the operator gives a
// command (entra-coexistence:entraConnect.deltaSyncCommand, run with a shell), e.g. PowerShell
// remoting to `Start-ADSyncSyncCycle -PolicyType Delta`, which fails while a cycle runs ("busy"):
// such an answer is tried again after a while; any other failure is reported with the command's
// exit code and output. Requests from many users share cycles: a request made while a run is in
// flight shares the next run (started after the current one, so it sees every write made before
// the request), never the current one.
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
}

export class DeltaSyncTrigger {
  private current?: Promise<void>;
  private next?: Promise<void>;
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
