// How a wave's `pulumi up` is run: every user at once, and for a big wave two settings of the
// environment that keep the run's cost in line with its size (README "Performance and sizing";
// `coex wave new` prints them, and bench/wave.ts runs with them).

/** Above this many users the settings below are advised. */
export const BIG_WAVE_USERS = 300;

/** The environment a wave of `users` users is run with:
 * - PULUMI_SKIP_CHECKPOINTS: the file backend rewrites the whole state after every step (about
 *   1e-4 x N^2 seconds); skipped, it is written once at the end. Safe for a wave: the journal, not
 *   the checkpoint, has every user's step, and the next up continues each one from it.
 * - NODE_OPTIONS' heap limit, for the provider process (and the program): what a 1,000-user wave
 *   keeps alive fits in 256 MiB, but without a limit V8 leaves garbage until 500-700 MiB on a
 *   machine with memory to spare (measured: 481, 630, 713 MiB peaks; 308 MiB with 256). */
export function upEnvironment(users: number): Record<string, string> {
  if (users <= BIG_WAVE_USERS) return {};
  return {
    PULUMI_SKIP_CHECKPOINTS: "true",
    NODE_OPTIONS: `--max-old-space-size=${heapMiB(users)}`,
  };
}

/** 256 MiB and an eighth of a MiB per user: 381 MiB at 1,000 users, 506 at 2,000. */
export function heapMiB(users: number): number {
  return 256 + Math.ceil(users / 8);
}

/** Every user at once (pulumi's default is 4 × the CPU cores), never below that default here. */
export function waveParallelism(users: number): number {
  return Math.max(users, 8);
}

/** The command line, e.g. `PULUMI_SKIP_CHECKPOINTS=true NODE_OPTIONS=… pulumi up --stack wave-01 --parallel 1000`. */
export function upCommand(stack: string, users: number, extraArgs = ""): string {
  const env = Object.entries(upEnvironment(users)).map(([k, v]) => `${k}=${v} `);
  return `${env.join("")}pulumi up --stack ${stack}${extraArgs} --parallel ${waveParallelism(users)}`;
}
