// The journal on a real file system: many users written at once, two writers racing (in one
// process and in two), a writer killed with SIGKILL in the middle of its writes, the original
// never replaced, and damaged records reported rather than read as whole.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { Journal, JournalCorruptError, JournalError } from "../../lib/journal/journal";
import {
  fileBackendRoot,
  JournalLocationError,
  journalLocation,
  openJournal,
} from "../../lib/journal/location";
import { FileJournalStore, JournalStoreError } from "../../lib/journal/store";
import {
  cycleSteps,
  expectedRecord,
  originalOf,
  PROJECT,
  STACK,
  userName,
  writeNext,
} from "../support/journalWriter";
import { workDir } from "../support/tenantPairs";

const WRITER = path.resolve(__dirname, "../support/journalWriter.js");

async function journalIn(dir: string, runId?: string): Promise<Journal> {
  const store = new FileJournalStore(dir, { project: PROJECT, stack: STACK });
  await store.open();
  return new Journal(store, { runId });
}

/** Every stored record of user `i` is whole, numbered from 1 without gaps, and is the record the
 * writer's sequence has at that number. Returns how many there are. */
async function checkUser(journal: Journal, i: number): Promise<number> {
  const h = await journal.history(userName(i));
  assert.deepEqual(h.problems, [], `${userName(i)} has damaged records`);
  h.records.forEach((r, k) => {
    assert.equal(r.seq, k + 1);
    const e = expectedRecord(i, r.seq);
    assert.equal(r.kind, e.kind, `${userName(i)} record ${r.seq}`);
    if (r.kind === "step") {
      assert.equal(r.step, e.step);
      assert.deepEqual(r.writes, e.writes);
    }
    if (r.kind === "found") assert.deepEqual(r.original, originalOf(i));
  });
  return h.records.length;
}

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [WRITER, ...args], { stdio: ["pipe", "pipe", "inherit"] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
    } else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

describe("journal on the file system", function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(() => {
    dir = path.join(workDir("journal"), "journal");
  });

  it("writes hundreds of users at once, each user's records whole and in order", async () => {
    const journal = await journalIn(dir);
    const users = 300;
    await Promise.all(
      Array.from({ length: users }, async (_, i) => {
        // A user's calls issued without waiting are recorded in the order they were made.
        const writes: Promise<unknown>[] = [journal.recordOriginal(userName(i), originalOf(i))];
        for (let seq = 2; seq <= cycleSteps(i).length + 1; seq++) {
          const e = expectedRecord(i, seq);
          if (e.step) writes.push(journal.recordStep(userName(i), e.step, e.writes));
        }
        await Promise.all(writes);
        await journal.recordCompleted(userName(i));
      }),
    );
    assert.equal((await journal.users()).length, users);
    for (let i = 0; i < users; i++) {
      assert.equal(await checkUser(journal, i), cycleSteps(i).length + 2);
      const h = await journal.history(userName(i));
      assert.deepEqual(h.interrupted, []);
      assert.equal(readdirSync(new FileJournalStore(dir).userDir(userName(i))).length, h.records.length);
    }
    // Read by another journal (another process would see the same).
    const reader = await journalIn(dir);
    const r = await reader.report(userName(7));
    assert.equal(r.state, "completed");
    assert.equal(r.lastStep, "verify.passed");
  });

  it("never replaces the original: a re-run after a crash gets the first run's values back", async () => {
    const first = await journalIn(dir, "run-1");
    const user = userName(1);
    const recorded = await first.recordOriginal(user, originalOf(1));
    assert.equal(recorded.recorded, true);
    for (let seq = 2; seq <= 7; seq++) await writeNext(first, 1, seq); // up to the swap
    const file = path.join(new FileJournalStore(dir).userDir(user), "00000001-found.json");
    const before = readFileSync(file, "utf8");

    // The next run reads the user half changed: that is not the original.
    const second = await journalIn(dir, "run-2");
    const again = await second.recordOriginal(user, originalOf(1, "half-changed"));
    assert.equal(again.recorded, false);
    assert.deepEqual(again.record.original, originalOf(1));
    assert.equal(again.record.runId, "run-1");
    assert.equal(readFileSync(file, "utf8"), before);
    const h = await second.history(user);
    assert.equal(h.records.filter((r) => r.kind === "found").length, 1);
    assert.equal(h.records.length, 7);
    assert.equal((await second.report(user)).restore.primaryAtRisk, true);

    // Completed: still the same original (a rollback needs it).
    for (let seq = 8; seq <= 13; seq++) await writeNext(second, 1, seq);
    assert.equal((await second.report(user)).state, "completed");
    assert.equal((await second.recordOriginal(user, originalOf(1, "enabled"))).recorded, false);

    // Reverted: the cycle is closed, and the next run records what it finds then.
    await second.recordStep(user, "rollback.ad");
    await second.recordReverted(user);
    const later = await second.recordOriginal(user, originalOf(1, "later"));
    assert.equal(later.recorded, true);
    assert.equal(later.record.seq, 16);
    assert.equal(readFileSync(file, "utf8"), before);
  });

  it("refuses a step, failure or completion before any original is recorded", async () => {
    const journal = await journalIn(dir);
    await assert.rejects(journal.recordStep(userName(2), "ad.primarySwapped"), (e: Error) => {
      assert.ok(e instanceof JournalError);
      assert.match(e.message, /user0002@fabrikam.example: no original values are recorded .*recordOriginal/);
      return true;
    });
    await assert.rejects(journal.recordCompleted(userName(2)), JournalError);
    assert.deepEqual(await journal.users(), []);
  });

  it("two journals racing on the same users record one original each, and both get it", async () => {
    const a = await journalIn(dir, "a");
    const b = await journalIn(dir, "b");
    const users = 100;
    const results = await Promise.all(
      Array.from({ length: users }, (_, i) => [
        a.recordOriginal(userName(i), originalOf(i, "a")),
        b.recordOriginal(userName(i), originalOf(i, "b")),
      ]).flat(),
    );
    for (let i = 0; i < users; i++) {
      const [ra, rb] = [results[2 * i], results[2 * i + 1]];
      assert.equal(Number(ra.recorded) + Number(rb.recorded), 1, userName(i));
      assert.deepEqual(ra.record, rb.record);
      const h = await a.history(userName(i));
      assert.equal(h.records.length, 1);
    }
  });

  it("two processes racing on the same users record one original each, and both get it", async () => {
    const users = 200;
    const children = ["left", "right"].map((label) => {
      const child = run(["race", dir, String(users), label]);
      const lines: string[] = [];
      const ready = new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) => {
          lines.push(l);
          if (l === "ready") resolve();
        });
        child.once("exit", (code) => reject(new Error(`writer exited ${code} before it was ready`)));
      });
      return { child, lines, ready };
    });
    // Both ready (journal open), then both told to go at once.
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin?.end("go\n");
    for (const c of children) assert.deepEqual(await exited(c.child), { code: 0, signal: null });
    const [left, right] = children.map(
      ({ lines }) =>
        JSON.parse(lines[lines.length - 1]) as { user: string; recorded: boolean; mail: string }[],
    );
    const journal = await journalIn(dir);
    let leftWon = 0;
    for (let i = 0; i < users; i++) {
      assert.equal(Number(left[i].recorded) + Number(right[i].recorded), 1, userName(i));
      assert.equal(left[i].mail, right[i].mail);
      if (left[i].recorded) leftWon++;
      const h = await journal.history(userName(i));
      assert.equal(h.records.length, 1);
      assert.equal(h.records[0].kind === "found" && h.records[0].original.ad.attributes.mail, left[i].mail);
    }
    // Not an assertion on who wins: only that the answers agree with what is stored.
    process.stdout.write(`      (left process won ${leftWon} of ${users} users)\n`);
  });

  it("a writer killed with SIGKILL leaves every record whole or unwritten, and the next run continues", async () => {
    const users = 40;
    let total = 0;
    for (let round = 1; round <= 4; round++) {
      const child = run(["loop", dir, String(users), "40"]);
      const printed = new Map<number, number>();
      let lines = 0;
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) => {
          const [i, seq] = l.split(" ").map(Number);
          printed.set(i, Math.max(printed.get(i) ?? 0, seq));
          // Killed while tens of writes are in flight, at whatever point each of them is. Not on a
          // line: the writer prints between writes, and a kill right then meets none in the middle.
          if (++lines === 600) {
            setTimeout(
              () => {
                child.kill("SIGKILL");
                resolve();
              },
              Math.floor(Math.random() * 200),
            );
          }
        });
        child.once(
          "exit",
          (code, signal) => signal === null && reject(new Error(`writer exited ${code} early`)),
        );
      });
      assert.deepEqual(await exited(child), { code: null, signal: "SIGKILL" });

      const journal = await journalIn(dir);
      let stored = 0;
      for (let i = 0; i < users; i++) {
        const n = await checkUser(journal, i);
        // A record is stored before the writer says so; it may have been stored and not said.
        assert.ok(n >= (printed.get(i) ?? 0), `${userName(i)}: ${n} stored, ${printed.get(i)} written`);
        stored += n;
        for (const t of (await journal.history(userName(i))).interrupted) {
          assert.match(path.basename(t.location), /^\.tmp-/);
        }
      }
      assert.ok(stored >= total + 600);
      total = stored;
    }

    // The next run: originals of users in a cycle are the first run's, and each user's sequence goes on.
    const next = await journalIn(dir, "after-crash");
    for (let i = 0; i < users; i++) {
      const h = await next.history(userName(i));
      const seq = h.records.length + 1;
      await writeNext(next, i, seq);
      assert.equal(await checkUser(next, i), seq);
    }
  });

  describe("damaged journals", () => {
    const user = userName(5);
    let journal: Journal;
    let userDir: string;

    beforeEach(async () => {
      journal = await journalIn(dir);
      for (let seq = 1; seq <= 3; seq++) await writeNext(journal, 5, seq);
      userDir = new FileJournalStore(dir).userDir(user);
    });

    it("reports a torn record, and writes nothing more for the user", async () => {
      // What a copy of the backend cut short by a discarded CI runner looks like.
      const whole = readFileSync(path.join(userDir, "00000003-step.json"), "utf8");
      writeFileSync(path.join(userDir, "00000004-step.json"), whole.slice(0, whole.length / 2));
      const h = await journal.history(user);
      assert.equal(h.records.length, 3);
      assert.equal(h.problems.length, 1);
      assert.equal(h.problems[0].seq, 4);
      assert.match(h.problems[0].reason, /no checksum line/);
      // A fresh journal as the next run would open it, and this one with its cache.
      for (const j of [journal, await journalIn(dir)]) {
        await assert.rejects(j.recordStep(user, "ad.targetAddressSet"), (e: Error) => {
          assert.ok(e instanceof JournalCorruptError);
          assert.match(e.message, /00000004-step\.json: no checksum line/);
          assert.match(e.message, /move that file out of the user's directory/);
          return true;
        });
        await assert.rejects(j.recordOriginal(user, originalOf(5, "other")), JournalCorruptError);
      }
      assert.equal(readdirSync(userDir).length, 4);
      // The documented fix: move it aside; the user then continues.
      renameSync(path.join(userDir, "00000004-step.json"), path.join(dir, "torn-00000004-step.json"));
      await journal.recordStep(user, "license.originalGroupRemoved");
      assert.equal((await journal.history(user)).records.length, 4);
    });

    it("reports a record changed after it was written", async () => {
      appendFileSync(path.join(userDir, "00000002-step.json"), "extra\n");
      const h = await journal.history(user);
      assert.match(h.problems[0].reason, /no checksum line at the end/);
      const text = readFileSync(path.join(userDir, "00000001-found.json"), "utf8");
      writeFileSync(path.join(userDir, "00000001-found.json"), text.replace("first@", "other@"));
      assert.match((await journal.history(user)).problems[0].reason, /checksum does not match/);
    });

    it("reports a missing record and a record in another user's place", async () => {
      rmSync(path.join(userDir, "00000002-step.json"));
      const other = new FileJournalStore(dir).userDir(userName(6));
      mkdirSync(other);
      writeFileSync(
        path.join(other, "00000001-found.json"),
        readFileSync(path.join(userDir, "00000001-found.json")),
      );
      assert.match((await journal.history(user)).problems[0].reason, /record 2 is missing/);
      assert.match((await journal.history(userName(6))).problems[0].reason, /holds record 1 of user0005/);
    });

    it("reports a temporary file left by a killed writer, and never reads it as a record", async () => {
      const whole = readFileSync(path.join(userDir, "00000003-step.json"), "utf8");
      writeFileSync(path.join(userDir, ".tmp-00000004-999-abcd"), whole.slice(0, 10));
      writeFileSync(path.join(userDir, ".tmp-00000003-999-abce"), whole);
      const h = await journal.history(user);
      assert.deepEqual(h.problems, []);
      assert.equal(h.records.length, 3);
      assert.deepEqual(
        h.interrupted.map((i) => [path.basename(i.location), i.alsoStored]),
        [
          [".tmp-00000003-999-abce", true],
          [".tmp-00000004-999-abcd", false],
        ],
      );
      await journal.recordStep(user, "license.originalGroupRemoved");
      assert.equal((await journal.history(user)).records.length, 4);
    });
  });

  describe("where the journal is", () => {
    it("refuses a directory that holds something else, or another stack's journal", async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "notes.txt"), "x");
      await assert.rejects(
        new FileJournalStore(dir, { project: PROJECT, stack: STACK }).open(),
        (e: Error) => {
          assert.ok(e instanceof JournalStoreError);
          assert.match(e.message, /is not empty and is not a journal/);
          return true;
        },
      );
      const other = path.join(path.dirname(dir), "other");
      await new FileJournalStore(other, { project: PROJECT, stack: "wave-01" }).open();
      await assert.rejects(
        new FileJournalStore(other, { project: PROJECT, stack: "wave-02" }).open(),
        /belongs to stack wave-01, not wave-02/,
      );
    });

    it("a reader does not create a journal that is not there", async () => {
      await assert.rejects(
        new FileJournalStore(dir).open({ create: false }),
        /there is no journal at .*no user has been processed/,
      );
      assert.throws(() => readdirSync(dir), /ENOENT/);
    });

    it("goes beside the state of a file backend, or into the directory the stack names", async () => {
      const projectDir = path.join(path.dirname(dir), "project");
      const state = path.join(path.dirname(dir), "state");
      const beside = journalLocation({
        project: PROJECT,
        stack: "organization/entra-coexistence/wave-01",
        backendUrl: `file://${state}`,
        projectDir,
      });
      assert.equal(
        beside.directory,
        path.join(state, ".entra-coexistence/journal/entra-coexistence/wave-01"),
      );
      assert.equal(fileBackendRoot("file://~", projectDir), os.homedir());
      assert.equal(
        fileBackendRoot("file://~/pulumi-state?no_tmp_dir=true", projectDir),
        path.join(os.homedir(), "pulumi-state"),
      );
      assert.equal(fileBackendRoot("file://state", projectDir), path.join(projectDir, "state"));
      const named = journalLocation({
        project: PROJECT,
        stack: "wave-01",
        config: { directory: "../kept" },
        backendUrl: "s3://bucket",
        projectDir,
      });
      assert.equal(named.directory, path.join(path.dirname(dir), "kept/entra-coexistence/wave-01"));

      const journal = await openJournal(beside, PROJECT, "wave-01");
      await journal.recordOriginal(userName(1), originalOf(1));
      assert.deepEqual(readdirSync(state), [".entra-coexistence"]);
    });

    it("refuses another kind of backend unless a directory is named, and never echoes its password", () => {
      for (const backendUrl of [
        "s3://bucket/state",
        "postgres://coex:hunter2@db/pulumi?table=state",
        undefined,
      ]) {
        assert.throws(
          () => journalLocation({ project: PROJECT, stack: "wave-01", backendUrl, projectDir: dir }),
          (e: Error) => {
            assert.ok(e instanceof JournalLocationError);
            assert.match(e.message, /pulumi config set --path entra-coexistence:journal.directory/);
            assert.doesNotMatch(e.message, /hunter2/);
            return true;
          },
        );
      }
    });
  });
});
