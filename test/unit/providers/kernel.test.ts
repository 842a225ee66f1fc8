// The provider kernel's rules, on a toy resource: no network, no Pulumi engine.
import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { declaredOf, defineProvider, type ResourceSpec, withCleanup } from "../../../providers/kernel";

const calls: string[] = [];
const schema = z.strictObject({ name: z.string().min(1), size: z.number().int().default(1) });
const toySpec: ResourceSpec<typeof schema, { extras: string[] }, { size: number }, { objectId: string }> = {
  type: "Toy",
  module: "dist/providers/toy",
  schema,
  infoKeys: ["objectId"],
  canonical: (i) => ({ ...i, name: i.name.toLowerCase() }),
  expected: { keys: ["extras"], of: () => ({ extras: [] }) },
  observed: ["size", "extras"],
  replaceOn: ["name"],
  objectKey: (id) => `toy ${id}`,
  legacyOwnership: (s) =>
    typeof s.made !== "boolean"
      ? undefined
      : s.made
        ? { kind: "created" }
        : { kind: "adopted", found: { size: 9 } },
  async create(inputs) {
    calls.push(`create ${inputs.name}`);
    return inputs.name === "found"
      ? { id: inputs.name, ownership: { kind: "adopted", found: { size: 7 } } }
      : { id: inputs.name, ownership: { kind: "created" } };
  },
  async observe(id) {
    return { live: { size: 1, extras: [] }, info: { objectId: `obj-${id}` } };
  },
  async update() {},
  async remove(id) {
    calls.push(`remove ${id}`);
  },
  async restore(id, _state, found) {
    calls.push(`restore ${id} to ${found.size}`);
  },
};
const toy = defineProvider(toySpec);
const p = toy.provider as Required<typeof toy.provider>;

describe("provider kernel", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it("check validates with the schema, canonicalizes, and adds the expected view", async () => {
    const ok = await p.check({}, { name: "Box", __provider: "x", objectId: undefined, ownership: undefined });
    assert.deepEqual(ok.inputs, { name: "box", size: 1, extras: [] });
    const bad = await p.check({}, { name: "" });
    assert.equal(bad.failures?.[0]?.property, "name");
    const unknown = await p.check({}, { name: "a", colour: "red" });
    assert.match(String(unknown.failures?.[0]?.reason), /colour|Unrecognized/);
  });

  it("diff compares the declaration with the live values of the last read, and replaces on the listed keys", async () => {
    const declared = { name: "box", size: 1, extras: [] };
    const table: Array<[string, Record<string, unknown>, Record<string, unknown>, boolean, string[]]> = [
      [
        "nothing changed",
        { ...declared, ownership: { kind: "created" }, objectId: "o" },
        declared,
        false,
        [],
      ],
      ["live size drifted", { ...declared, size: 3, ownership: { kind: "created" } }, declared, true, []],
      ["an expected-empty list got an item", { ...declared, extras: ["x"] }, declared, true, []],
      ["declared size changed", declared, { ...declared, size: 2 }, true, []],
      ["name changed: replace", declared, { ...declared, name: "crate" }, true, ["name"]],
    ];
    for (const [what, olds, news, changes, replaces] of table) {
      const d = await p.diff("box", olds, news);
      assert.equal(d.changes, changes, what);
      assert.deepEqual(d.replaces, replaces, what);
      assert.equal(d.deleteBeforeReplace, false, `${what}: create before delete`);
    }
  });

  it("an expected view that is not stored: check leaves it out, diff and declaredOf compute it", async () => {
    let liveExtras: string[] = [];
    const lean = defineProvider<typeof schema, { extras: string[] }, { size: number }, { objectId: string }>({
      ...toySpec,
      type: "LeanToy",
      expected: { keys: ["extras"], of: () => ({ extras: [] }), stored: false },
      observe: async (id) => ({ live: { size: 1, extras: liveExtras }, info: { objectId: `obj-${id}` } }),
    }).provider as Required<typeof toy.provider>;
    const ok = await lean.check({}, { name: "Box" });
    assert.deepEqual(ok.inputs, { name: "box", size: 1 });
    const stored = ok.inputs as Record<string, unknown>;
    assert.deepEqual(declaredOf("LeanToy", stored), { name: "box", size: 1, extras: [] });
    assert.deepEqual(
      declaredOf("Unknown", { name: "box" }),
      { name: "box" },
      "a type no provider registered",
    );
    const outs = { ...stored, extras: [], ownership: { kind: "created" } };
    assert.equal((await lean.diff("box", outs, stored)).changes, false, "as read: no change");
    assert.equal((await lean.diff("box", { ...outs, extras: ["x"] }, stored)).changes, true, "drift");
    const made = await lean.create({ name: "lean", size: 1 });
    const declared = (await lean.check({}, { name: "lean" })).inputs;
    assert.ok(!("extras" in made.outs), "a live value that is the implied one is not kept in the outputs");
    assert.equal((await lean.diff("lean", made.outs, declared)).changes, false, "and reads as in sync");
    assert.equal(
      (await lean.diff("lean", made.outs, { ...declared, size: 2 })).changes,
      true,
      "a declared change is still one",
    );
    liveExtras = ["x"];
    const drifted = await lean.read("lean", made.outs);
    assert.deepEqual(drifted.props?.extras, ["x"], "drift is kept under the implied name");
    assert.equal(
      (await lean.diff("lean", drifted.props, declared)).changes,
      true,
      "and the next diff sees it",
    );
    liveExtras = [];
    const back = await lean.read("lean", drifted.props);
    assert.ok(!("extras" in (back.props ?? {})), "put back by hand: left out again");
  });

  it("create records ownership and the live values; a second create of the same object is refused", async () => {
    const made = await p.create({ name: "one", size: 1, extras: [] });
    assert.deepEqual(made.outs.ownership, { kind: "created" });
    assert.equal(made.outs.objectId, "obj-one");
    await assert.rejects(p.create({ name: "one", size: 1, extras: [] }), /already held by another resource/);
  });

  it("delete removes what was created, restores what was adopted, and only lets go of what a replacement took", async () => {
    await p.delete("two", { name: "two", size: 1, extras: [], ownership: { kind: "created" } });
    await p.delete("three", {
      name: "three",
      size: 1,
      extras: [],
      ownership: { kind: "adopted", found: { size: 7 } },
    });
    await p.create({ name: "found", size: 1, extras: [] });
    await p.delete("found", { name: "found", size: 1, extras: [], ownership: { kind: "created" } });
    assert.deepEqual(calls, ["remove two", "restore three to 7", "create found"]);
  });

  it("migrates a state from before the ownership record, and refuses to delete when it cannot tell", async () => {
    await p.delete("old1", { name: "old1", size: 1, extras: [], made: true });
    await p.delete("old2", { name: "old2", size: 1, extras: [], made: false });
    await assert.rejects(
      p.delete("old3", { name: "old3", size: 1, extras: [] }),
      /no ownership record .* nothing was changed/,
    );
    const refreshed = await p.read("old2", { name: "old2", size: 1, extras: [], made: false });
    assert.deepEqual(
      refreshed.props?.ownership,
      { kind: "adopted", found: { size: 9 } },
      "refresh writes the record",
    );
    assert.deepEqual(calls, ["remove old1", "restore old2 to 9"]);
  });

  it("keeps no copy of an unstored default or a retired output, and reads a state that keeps one the same", async () => {
    const tagged = z.strictObject({
      name: z.string(),
      size: z.number().int().default(1),
      tag: z.string().default("none"),
    });
    const seen: string[] = [];
    const k = defineProvider<typeof tagged, object, never, Record<string, never>>({
      type: "Tagged",
      module: "dist/providers/tagged",
      schema: tagged,
      infoKeys: [],
      retiredOutputs: ["oldInfo"],
      unstoredDefaults: { tag: "none" },
      observed: ["size"],
      replaceOn: [],
      objectKey: (id) => `tagged ${id}`,
      async create(inputs) {
        seen.push(`create ${inputs.name} ${inputs.tag}`);
        return { id: inputs.name, ownership: { kind: "created" } };
      },
      async observe(_id, inputs) {
        seen.push(`observe ${inputs.name} ${inputs.tag}`);
        return { live: { size: 1 }, info: {} };
      },
      async update() {},
      async remove(id, state) {
        seen.push(`remove ${id} ${state.tag}`);
      },
      async restore() {},
    }).provider as Required<pulumi.dynamic.ResourceProvider>;
    const checked = (await k.check({}, { name: "a" })).inputs;
    assert.deepEqual(checked, { name: "a", size: 1 }, "the default is not stored; an observed one is");
    assert.deepEqual((await k.check({}, { name: "a", tag: "blue" })).inputs, {
      name: "a",
      size: 1,
      tag: "blue",
    });
    const made = await k.create(checked);
    assert.deepEqual(made.outs, { name: "a", size: 1, ownership: { kind: "created" } });
    // A state written before, with the default stored, against the declaration now: no change.
    const before = { name: "a", size: 1, tag: "none", ownership: { kind: "created" } };
    assert.equal((await k.diff("a", before, checked)).changes, false, "stored default vs none");
    assert.equal((await k.diff("a", made.outs, { ...checked, tag: "none" })).changes, false, "and back");
    assert.equal((await k.diff("a", made.outs, { ...checked, tag: "blue" })).changes, true, "a real change");
    assert.equal(
      (await k.diff("a", { ...before, tag: "blue" }, checked)).changes,
      true,
      "back to the default",
    );
    const refreshed = await k.read("a", { ...before, oldInfo: "an output no longer written" });
    assert.deepEqual(refreshed.props, made.outs, "a refresh writes the shorter state");
    await k.delete("b", { name: "b", size: 1, ownership: { kind: "created" } });
    assert.deepEqual(seen, ["create a none", "observe a none", "observe a none", "remove b none"]);
    assert.throws(
      () =>
        defineProvider({
          type: "Bad",
          module: "dist/providers/bad",
          schema: tagged,
          infoKeys: [],
          unstoredDefaults: { size: 1 },
          observed: ["size"],
          replaceOn: [],
          objectKey: (id) => id,
          create: async () => ({ id: "x", ownership: { kind: "created" } }),
          observe: async () => undefined,
          update: async () => undefined,
          remove: async () => {},
          restore: async () => {},
        }),
      /size is observed/,
    );
  });

  it("withCleanup rethrows the failure, and names what a failed cleanup left behind", async () => {
    await assert.rejects(
      withCleanup(
        async () => {
          throw new Error("assign failed");
        },
        { describe: "group G", run: async () => undefined },
      ),
      /^Error: assign failed$/,
    );
    await assert.rejects(
      withCleanup(
        async () => {
          throw new Error("assign failed");
        },
        {
          describe: "group G",
          run: async () => {
            throw new Error("delete refused");
          },
        },
      ),
      /assign failed; and the cleanup failed, so group G is left behind: delete refused/,
    );
  });
});
