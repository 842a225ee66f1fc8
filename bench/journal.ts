// The journal's cost for a wave of 1,000 users, each with a whole run (original, 11 steps,
// completed: 13 records), written durably (fsync per record and per directory change) with all
// users at once as a deployment with high --parallel does, and with 8 at a time (Pulumi's
// default on 2 cores). Prints records per second, bytes per user (content and what the file
// system allocates) and how fast `coex journal list` reads it back. Not part of the tests.
//   node dist/bench/journal.js [directory]   (default: a new directory under the system's tmp)
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Journal } from "../lib/journal/journal";
import { FileJournalStore } from "../lib/journal/store";
import { cycleSteps, expectedRecord, userName, writeNext } from "../test/support/journalWriter";

const USERS = 1000;

async function writeWave(dir: string, parallel: number): Promise<{ seconds: number; records: number }> {
  const store = new FileJournalStore(dir, { project: "entra-coexistence", stack: "bench" });
  await store.open();
  const journal = new Journal(store);
  const perUser = cycleSteps(0).length + 2;
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < USERS; i = next++) {
      for (let seq = 1; seq <= perUser; seq++) {
        if (expectedRecord(i, seq).kind === "reverted") break;
        await writeNext(journal, i, seq);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, records: USERS * perUser };
}

/** Content bytes and allocated bytes (blocks) of everything under `dir`. */
function sizeOf(dir: string): { bytes: number; allocated: number } {
  let bytes = 0;
  let allocated = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const s = statSync(p);
    allocated += s.blocks * 512;
    if (s.isDirectory()) {
      const inner = sizeOf(p);
      bytes += inner.bytes;
      allocated += inner.allocated;
    } else bytes += s.size;
  }
  return { bytes, allocated };
}

async function main(): Promise<void> {
  const base = mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), "journal-bench-"));
  console.log(`journal: ${USERS} users, ${cycleSteps(0).length + 2} records each, in ${base}`);
  try {
    for (const parallel of [USERS, 8]) {
      const dir = path.join(base, `parallel-${parallel}`);
      const w = await writeWave(dir, parallel);
      const size = sizeOf(dir);
      const reader = new Journal(new FileJournalStore(dir));
      const readStart = process.hrtime.bigint();
      let read = 0;
      for (const u of await reader.users()) read += (await reader.report(u)).records.length;
      const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
      console.log(
        `  ${String(parallel).padStart(4)} users at once: ${(w.records / w.seconds).toFixed(0).padStart(6)} records/s written ` +
          `(${w.seconds.toFixed(1)} s), ${(size.bytes / USERS).toFixed(0)} bytes per user ` +
          `(${(size.allocated / USERS / 1024).toFixed(1)} KiB allocated), ` +
          `${(read / readSeconds).toFixed(0)} records/s read back (${userName(0)} … ${read} records)`,
      );
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
