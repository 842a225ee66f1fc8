// The verify commands' change log: a change refused by the server is not undone; one whose answer
// was lost is; a failed undo is reported with what to do by hand and tried again at the end.
import assert from "node:assert/strict";
import { ChangeLog, formatUndo } from "../../cli/changeLog";
import { DirectoryError } from "../../lib/directory/client";
import { GraphRequestError } from "../../lib/graph/client";

const graphError = (status: number) =>
  new GraphRequestError("POST", "/groups/x/members/$ref", status, "Code", "message", "req-1");

describe("verify commands: the change log", () => {
  it("forgets a change the server refused: nothing changed, nothing to undo", async () => {
    const log = new ChangeLog();
    let undone = 0;
    for (const refusal of [graphError(403), new DirectoryError("denied", { resultCode: 50 })]) {
      const change = log.record(
        "a change",
        async () => {
          undone++;
          return undefined;
        },
        "by hand",
      );
      await assert.rejects(change.run(() => Promise.reject(refusal)));
      assert.equal(await change.undo(), true);
    }
    await log.undoAll();
    assert.equal(undone, 0);
    assert.deepEqual(log.records, []);
    assert.deepEqual(formatUndo(log.records), ["undo: nothing was changed"]);
  });

  it("undoes a change whose answer was lost (a 5xx, a dropped connection)", async () => {
    const log = new ChangeLog();
    const undone: string[] = [];
    for (const lost of [graphError(503), new DirectoryError("connection reset")]) {
      const change = log.record(
        lost.message,
        async () => {
          undone.push(lost.message);
          return "put back";
        },
        "by hand",
      );
      await assert.rejects(change.run(() => Promise.reject(lost)));
    }
    await log.undoAll();
    assert.equal(undone.length, 2);
    assert.deepEqual(
      log.records.map((r) => r.result),
      ["done", "done"],
    );
  });

  it("undoes once, newest first, and retries a failed undo at the end, saying what to do by hand", async () => {
    const log = new ChangeLog();
    const order: string[] = [];
    let attempts = 0;
    const first = log.record(
      "first",
      async () => {
        order.push("first");
        return undefined;
      },
      "undo first by hand",
    );
    const second = log.record(
      "second",
      async () => {
        attempts++;
        order.push("second");
        if (attempts === 1) throw new Error("busy");
        return "second put back";
      },
      "undo second by hand",
    );
    await first.run(async () => undefined);
    await second.run(async () => undefined);
    assert.equal(await second.undo(), false);
    assert.deepEqual(log.records[1], {
      what: "second",
      result: "failed",
      detail: "busy; undo second by hand",
    });
    await log.undoAll();
    await log.undoAll();
    assert.deepEqual(order, ["second", "second", "first"]);
    assert.deepEqual(
      log.records.map((r) => [r.what, r.result, r.detail]),
      [
        ["first", "done", "undone"],
        ["second", "done", "second put back"],
      ],
    );
  });

  it("reports a change never undone as failed, with what to do by hand", () => {
    const log = new ChangeLog();
    log.record("added the canary to G", async () => undefined, "remove it from G");
    assert.deepEqual(log.records, [
      { what: "added the canary to G", result: "failed", detail: "not undone: remove it from G" },
    ]);
    assert.match(formatUndo(log.records).join("\n"), /FAILED {2}added the canary to G: not undone/);
  });
});
