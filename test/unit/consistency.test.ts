// The consistency helper (lib/graph/consistency.ts) on a fake clock: N answers in a row, the
// minimum interval, the deadline, the look-up window, and which errors each retry rule matches.
import assert from "node:assert/strict";
import {
  type Clock,
  type ConsistencyOptions,
  ConsistencyTimeoutError,
  eventually,
  lookUp,
  matchesRule,
  REPLICATION_RULES,
  retryingOn,
} from "../../lib/graph/consistency";
import { GraphRequestError } from "../../lib/graph/errors";

/** Time passes only when slept; every sleep is recorded. */
function fakeClock(): Clock & { sleeps: number[]; t: number } {
  const clock = {
    t: 0,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

function options(clock: Clock, overrides: Partial<ConsistencyOptions> = {}): ConsistencyOptions {
  return { clock, successesInARow: 3, intervalMs: 1000, deadlineMs: 10_000, lookupMs: 4000, ...overrides };
}

/** A read that answers from a script, one entry per call (undefined: not there yet). */
function scripted<T>(answers: Array<T | undefined>) {
  let calls = 0;
  const read = async () => answers[Math.min(calls++, answers.length - 1)];
  return { read, calls: () => calls };
}

const graphError = (status: number, code: string, message: string) =>
  new GraphRequestError("POST", "/x", status, code, message, "request-1");

describe("consistency helper", () => {
  describe("eventually", () => {
    it("returns after N answers in a row, the reads at least the interval apart", async () => {
      const clock = fakeClock();
      const { read, calls } = scripted([undefined, "a", "b", "c", "d"]);
      assert.equal(await eventually("x", read, options(clock)), "c");
      assert.equal(calls(), 4);
      assert.deepEqual(clock.sleeps, [1000, 1000, 1000]);
    });

    it("starts counting again when a read misses", async () => {
      const clock = fakeClock();
      const { read, calls } = scripted(["a", "b", undefined, "c", "d", "e"]);
      assert.equal(await eventually("x", read, options(clock)), "e");
      assert.equal(calls(), 6);
    });

    it("gives up at the deadline with an error that names what it waited for", async () => {
      const clock = fakeClock();
      const { read, calls } = scripted(["a", undefined]);
      await assert.rejects(
        eventually("the new group G (id-1)", read, options(clock)),
        (e: Error) =>
          e instanceof ConsistencyTimeoutError &&
          /the new group G \(id-1\): not seen 3 times in a row within 10 s/.test(e.message) &&
          /run the command again/.test(e.message),
      );
      assert.equal(clock.t, 10_000);
      assert.equal(calls(), 11);
    });

    it("passes a read's error on at once", async () => {
      const clock = fakeClock();
      const failing = async () => {
        throw graphError(403, "Authorization_RequestDenied", "Insufficient privileges");
      };
      await assert.rejects(eventually("x", failing, options(clock)), /Insufficient privileges/);
      assert.deepEqual(clock.sleeps, []);
    });
  });

  describe("lookUp", () => {
    it("returns the first answer, without waiting for more in a row", async () => {
      const clock = fakeClock();
      const { read } = scripted([undefined, undefined, "found"]);
      assert.equal(await lookUp("x", read, options(clock)), "found");
      assert.equal(clock.t, 2000);
    });

    it("concludes that nothing was made after the look-up window, not the deadline", async () => {
      const clock = fakeClock();
      const { read } = scripted<string>([undefined]);
      assert.equal(await lookUp("x", read, options(clock)), undefined);
      assert.equal(clock.t, 4000);
    });
  });

  describe("retryingOn", () => {
    const appNotThere = graphError(
      400,
      "Request_BadRequest",
      "The appId 'e5b3' of the service principal does not reference a valid application object.",
    );

    it("tries again while a rule matches, then returns the answer", async () => {
      const clock = fakeClock();
      let calls = 0;
      const result = await retryingOn(
        "x",
        [REPLICATION_RULES.applicationNotReplicated],
        async () => {
          if (++calls < 3) throw appNotThere;
          return "created";
        },
        options(clock),
      );
      assert.equal(result, "created");
      assert.deepEqual(clock.sleeps, [1000, 1000]);
    });

    it("throws an error no rule matches at once", async () => {
      const clock = fakeClock();
      const other = graphError(400, "Request_BadRequest", "Invalid value specified for property 'appId'.");
      await assert.rejects(
        retryingOn(
          "x",
          [REPLICATION_RULES.applicationNotReplicated],
          async () => {
            throw other;
          },
          options(clock),
        ),
        (e) => e === other,
      );
      assert.equal(clock.t, 0);
    });

    it("at the deadline keeps Graph's status, code and request id, and names what it was for", async () => {
      const clock = fakeClock();
      await assert.rejects(
        retryingOn(
          "the service principal of application e5b3",
          [REPLICATION_RULES.applicationNotReplicated],
          async () => {
            throw appNotThere;
          },
          options(clock),
        ),
        (e) =>
          e instanceof GraphRequestError &&
          e.status === 400 &&
          e.code === "Request_BadRequest" &&
          e.requestId === "request-1" &&
          /service principal of application e5b3: still so after 10 s/.test(e.message),
      );
      assert.equal(clock.t, 10_000);
    });
  });

  describe("retry rules", () => {
    const cases: Array<[keyof typeof REPLICATION_RULES, GraphRequestError, boolean]> = [
      [
        "notFoundYet",
        graphError(404, "Request_ResourceNotFound", "Resource 'a1' does not exist or one of its ..."),
        true,
      ],
      ["notFoundYet", graphError(404, "ResourceNotFound", "Resource not found for the segment 'x'."), false],
      ["notFoundYet", graphError(400, "Request_BadRequest", "Resource 'a1' does not exist"), false],
      [
        "applicationNotReplicated",
        graphError(
          400,
          "Request_BadRequest",
          "The appId '0f4a' of the service principal does not reference a valid application object.",
        ),
        true,
      ],
      [
        "applicationNotReplicated",
        graphError(400, "Request_BadRequest", "Invalid value specified for property 'appId'."),
        false,
      ],
      [
        "ownedByApplicationNotReplicated",
        graphError(
          403,
          "Authorization_RequestDenied",
          "When using this permission, the backing application of the service principal being created must in the local tenant",
        ),
        true,
      ],
      [
        "ownedByApplicationNotReplicated",
        graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
        false,
      ],
      [
        "referenceNotReplicated",
        graphError(400, "Request_BadRequest", "Not a valid reference update."),
        true,
      ],
      [
        "referencedObjectNotReplicated",
        graphError(
          400,
          "Request_BadRequest",
          "Resource 'b2' does not exist or one of its queried reference-property objects are not present.",
        ),
        true,
      ],
      [
        "referencedObjectNotReplicated",
        graphError(400, "Request_BadRequest", "One or more added object references already exist"),
        false,
      ],
    ];
    for (const [rule, error, expected] of cases) {
      it(`${rule} ${expected ? "matches" : "does not match"} ${error.status} ${error.graphMessage.slice(0, 50)}`, () => {
        assert.equal(matchesRule(error, REPLICATION_RULES[rule]), expected);
      });
    }
    it("every rule gives its reason", () => {
      for (const rule of Object.values(REPLICATION_RULES)) assert.ok(rule.reason.length > 20, rule.reason);
    });
  });
});
