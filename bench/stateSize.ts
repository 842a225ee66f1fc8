// State per resource and the checkpoint cost, measured through the real pulumi CLI with a file
// backend (issue 11, "Performance: measured, not guessed"): bytes per resource in
// `pulumi stack export` for the `__provider` this version writes and for the closure shim earlier
// versions wrote, for a kernel provider that does nothing and for ReachBackUser's state shape
// (bench/programs/userShapeProvider.ts), against the 2 kB target; and the time of `pulumi up` of
// N no-op resources with and without PULUMI_SKIP_CHECKPOINTS. Prints figures; not a test.
// Run: npm run build && PATH=$(bash scripts/setup-pulumi.sh):$PATH node dist/bench/stateSize.js
//   (arguments: counts for the timing, default 100 400).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "../..");
const TARGET = 2048;

/** A Pulumi project of the bench program with a file backend, below the repository (the
 * provider finds dist/ from the program's directory up). */
function project(label: string) {
  const base = path.join(repoRoot, ".test-work");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, `bench-state-${label}-`));
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: bench-state\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: ${path.join(repoRoot, "dist/bench/programs/stateSize.js")}\n`,
  );
  mkdirSync(path.join(dir, "state"));
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "bench",
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const started = process.hrtime.bigint();
    const r = spawnSync("pulumi", [...args, "--non-interactive", "--stack", "bench"], {
      cwd: dir,
      env: { ...env, ...extra },
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return { stdout: r.stdout, seconds };
  };
  run(["stack", "init"]);
  const config = (values: Record<string, string | number | boolean>) => {
    for (const [k, v] of Object.entries(values)) run(["config", "set", `bench:${k}`, String(v)]);
  };
  return { dir, run, config, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

type Entry = { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } & Record<
  string,
  unknown
>;
interface Exported {
  deployment: { resources?: Entry[] };
}

/** Bytes of the export; the average resource entry (compact JSON, as bench/wave.ts counts a user);
 * and one resource's property in its inputs and outputs together (compact). */
function sizes(stdout: string) {
  const resources = (JSON.parse(stdout) as Exported).deployment.resources ?? [];
  const ours = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
  const one = ours[0];
  const field = (k: string) =>
    one ? [one.inputs, one.outputs].reduce((n, bag) => n + JSON.stringify(bag?.[k] ?? "").length, 0) : 0;
  return {
    total: stdout.length,
    entry: ours.reduce((n, r) => n + JSON.stringify(r).length, 0) / Math.max(1, ours.length),
    provider: field("__provider"),
    mapping: field("licenseGroupMapping"),
    one,
  };
}

/** Where an entry's bytes go: each top-level key, and each key of its inputs and outputs (compact
 * JSON, the key with its quotes, colon and comma included). */
function breakdown(entry: Entry): string {
  const cost = (k: string, v: unknown) => JSON.stringify(k).length + 2 + JSON.stringify(v).length;
  const lines = (bag: Record<string, unknown>, indent: string) =>
    Object.entries(bag)
      .sort(([ka, a], [kb, b]) => cost(kb, b) - cost(ka, a))
      .map(([k, v]) => `${indent}${k.padEnd(26)} ${String(cost(k, v)).padStart(5)}`);
  const out = [`entry ${JSON.stringify(entry).length} bytes`, ...lines(entry, "  ")];
  for (const bag of ["inputs", "outputs"] as const) {
    if (entry[bag]) out.push(`  ${bag}:`, ...lines(entry[bag], "    "));
  }
  return out.join("\n");
}

/** Bytes each further resource adds, from stacks of 1 and of 100: in `pulumi stack export`
 * (indented) and in the checkpoint file the backend rewrites (compact). */
function stateSize(shape: "noop" | "user", legacy: boolean, mappingEntries: number) {
  const exported: Record<number, number> = {};
  const stored: Record<number, number> = {};
  let detail: Omit<ReturnType<typeof sizes>, "total" | "one"> & { one?: Entry } = {
    entry: 0,
    provider: 0,
    mapping: 0,
  };
  for (const count of [1, 100]) {
    const p = project(`${shape}${count}`);
    try {
      p.config({ shape, count, legacy, mappingEntries });
      p.run(["up", "--yes", "--skip-preview"], { PULUMI_SKIP_CHECKPOINTS: "true" });
      const s = sizes(p.run(["stack", "export"]).stdout);
      exported[count] = s.total;
      stored[count] = statSync(path.join(p.dir, "state/.pulumi/stacks/bench-state/bench.json")).size;
      detail = s;
    } finally {
      p.dispose();
    }
  }
  return { exported: (exported[100] - exported[1]) / 99, stored: (stored[100] - stored[1]) / 99, ...detail };
}

function upTimes(count: number, legacy: boolean) {
  const times: Record<string, number> = {};
  for (const skip of [false, true]) {
    const p = project(`t${count}`);
    try {
      p.config({ shape: "noop", count, legacy });
      const extra = skip ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {};
      times[skip ? "skip" : "checkpoints"] = p.run(["up", "--yes", "--skip-preview"], extra).seconds;
      times[skip ? "destroySkip" : "destroy"] = p.run(["destroy", "--yes", "--skip-preview"], extra).seconds;
    } finally {
      p.dispose();
    }
  }
  return times;
}

function main() {
  const counts = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const version = spawnSync("pulumi", ["version"], { encoding: "utf8" }).stdout.trim();
  console.log(
    `pulumi ${version}, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"})`,
  );
  console.log("\nstate per resource, bytes (file backend); target ≤ 2048 in `pulumi stack export`");
  console.log(
    "entry: a resource's entry in the export (compact JSON, averaged; bench/wave.ts counts a user so);\n" +
      "export: (export of 100 − export of 1)/99 (indented); checkpoint: the same in the backend's file;\n" +
      "__provider, mapping: that property in the inputs and outputs of one resource together (compact)",
  );
  console.log(
    "shape                                 entry   ×target   export   checkpoint   __provider   mapping",
  );
  const rows: Array<[string, "noop" | "user", boolean, number]> = [
    ["no-op, closure shim", "noop", true, 0],
    ["no-op, this version", "noop", false, 0],
    ["ReachBackUser 1 group, closure shim", "user", true, 1],
    ["ReachBackUser 1 group, this version", "user", false, 1],
    ["ReachBackUser 3 groups, this version", "user", false, 3],
    ["ReachBackUser 20 groups, this version", "user", false, 20],
  ];
  let wave: Entry | undefined;
  for (const [label, shape, legacy, entries] of rows) {
    const s = stateSize(shape, legacy, entries);
    const n = (v: number, w: number) => v.toFixed(0).padStart(w);
    console.log(
      `${label.padEnd(36)} ${n(s.entry, 6)}   ${(s.entry / TARGET).toFixed(2).padStart(7)}   ${n(s.exported, 6)}   ${n(s.stored, 10)}   ${n(s.provider, 10)}   ${n(s.mapping, 7)}`,
    );
    if (shape === "user" && !legacy && entries === 1) wave = s.one;
  }
  // The closure shim's rows are of the earlier `__provider` (and the SDK's call sites, which
  // pulumi.dynamic.Resource keeps), with this version's inputs and outputs.
  if (wave) console.log(`\nwhere a wave user's bytes go (1 group, this version):\n${breakdown(wave)}`);
  console.log("\n`pulumi up --skip-preview` / `destroy` of N no-op resources, seconds (default parallelism)");
  console.log(
    "N      __provider    up: checkpoints   up: SKIP_CHECKPOINTS   destroy: checkpoints   destroy: SKIP",
  );
  for (const count of counts.length > 0 ? counts : [100, 400]) {
    for (const legacy of [true, false]) {
      const t = upTimes(count, legacy);
      console.log(
        `${String(count).padEnd(6)} ${(legacy ? "shim" : "text").padEnd(12)}  ${t.checkpoints.toFixed(1).padStart(16)}   ${t.skip.toFixed(1).padStart(20)}   ${t.destroy.toFixed(1).padStart(20)}   ${t.destroySkip.toFixed(1).padStart(13)}`,
      );
    }
  }
}

main();
