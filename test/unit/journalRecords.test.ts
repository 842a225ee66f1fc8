// The journal's record schemas and their stored form: each rule on its own, and every way a
// stored record can be less than whole is told apart from a whole one.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import {
  decodeRecord,
  encodeRecord,
  type JournalRecord,
  journalRecordSchema,
  originalValuesSchema,
  scrubSecrets,
  stepRecordSchema,
  userKey,
} from "../../lib/journal/records";
import { decodeUserDir, encodeUserDir } from "../../lib/journal/store";
import { originalOf } from "../support/journalWriter";

const common = {
  schema: 1,
  seq: 1,
  user: "adele.vance@fabrikam.example",
  at: "2025-03-01T10:00:00.000Z",
  runId: "ci-runner-7:4242:a1b2c3",
} as const;
const found: JournalRecord = { ...common, kind: "found", original: originalOf(3) };
const step: JournalRecord = {
  ...common,
  seq: 2,
  kind: "step",
  step: "ad.primarySwapped",
  writes: { ad: { mail: "adele.vance@contoso.example" } },
};

describe("journal records", () => {
  describe("schemas", () => {
    it("accepts each kind of record", () => {
      for (const r of [
        found,
        step,
        { ...common, kind: "failed", step: "invite.sent", error: "Graph 403" },
        { ...common, kind: "completed" },
        { ...common, kind: "reverted", note: "rollbackOnDelete" },
      ]) {
        assert.equal(journalRecordSchema.safeParse(r).success, true, JSON.stringify(r));
      }
    });

    it("refuses a record without a schema version, timestamp or run id", () => {
      for (const key of ["schema", "at", "runId", "seq", "user"] as const) {
        const r: Record<string, unknown> = { ...step };
        delete r[key];
        assert.equal(journalRecordSchema.safeParse(r).success, false, key);
      }
    });

    it("refuses another schema version and a timestamp that is not ISO 8601", () => {
      assert.equal(journalRecordSchema.safeParse({ ...step, schema: 2 }).success, false);
      assert.equal(journalRecordSchema.safeParse({ ...step, at: "yesterday" }).success, false);
    });

    it("refuses keys it does not know: nothing but the listed values goes in (no password, no token)", () => {
      assert.equal(journalRecordSchema.safeParse({ ...step, password: "x" }).success, false);
      const original = structuredClone(originalOf(1)) as unknown as {
        ad: { attributes: Record<string, unknown> };
      };
      original.ad.attributes.unicodePwd = "secret";
      assert.equal(originalValuesSchema.safeParse(original).success, false);
      const writes = { ad: { mail: "a@b.example", userPassword: "x" } };
      assert.equal(stepRecordSchema.safeParse({ ...step, writes }).success, false);
    });

    it("refuses a step the state machine does not have", () => {
      assert.equal(stepRecordSchema.safeParse({ ...step, step: "ad.somethingElse" }).success, false);
    });

    it("holds AD's integers, negative and beyond 32 bits, exactly; null is 'not set'", () => {
      const o = originalOf(1);
      assert.equal(o.ad.attributes.msExchRecipientDisplayType, -2147483642);
      assert.equal(o.ad.attributes.msExchRecipientTypeDetails, 2147483648);
      const back = decodeRecord(encodeRecord(found));
      assert.ok(back.ok);
      assert.deepEqual(back.record, found);
      const cleared = {
        ...o,
        ad: { ...o.ad, attributes: { ...o.ad.attributes, msExchRemoteRecipientType: null } },
      };
      assert.equal(originalValuesSchema.safeParse(cleared).success, true);
      const fraction = {
        ...o,
        ad: { ...o.ad, attributes: { ...o.ad.attributes, msExchRemoteRecipientType: 1.5 } },
      };
      assert.equal(originalValuesSchema.safeParse(fraction).success, false);
    });

    it("takes extension attributes by their fifteen names only", () => {
      const o = originalOf(3);
      const bad = {
        ...o,
        ad: {
          ...o.ad,
          attributes: { ...o.ad.attributes, extensionAttributes: { extensionAttribute16: "x" } },
        },
      };
      assert.equal(originalValuesSchema.safeParse(bad).success, false);
    });

    it("keys users case-insensitively", () => {
      assert.equal(userKey("  Adele.Vance@Fabrikam.example "), "adele.vance@fabrikam.example");
    });
  });

  describe("stored form", () => {
    it("reads back what it wrote", () => {
      for (const r of [found, step]) assert.deepEqual(decodeRecord(encodeRecord(r)), { ok: true, record: r });
    });

    it("tells every cut-short prefix of a record from a whole one", () => {
      const text = encodeRecord(found);
      for (let n = 0; n < text.length; n++) {
        const d = decodeRecord(text.slice(0, n));
        assert.equal(d.ok, false, `prefix of ${n} characters read as whole`);
      }
    });

    it("names why a record is not whole", () => {
      const text = encodeRecord(step);
      const [line, sum] = text.split("\n");
      assert.match(reason(""), /empty/);
      assert.match(reason(`${line}\n`), /no checksum line/);
      assert.match(reason(`${line.replace("contoso", "c0ntoso")}\n${sum}\n`), /checksum does not match/);
      const bad = (json: string) => `${json}\nsha256=${sha(json)}\n`;
      assert.match(reason(bad("{not json")), /not JSON/);
      assert.match(reason(bad(JSON.stringify({ ...step, step: "nope" }))), /not a journal record: step/);
      assert.match(reason(bad(JSON.stringify({ ...step, schema: 7 }))), /schema 7, newer .*upgrade/);
    });

    it("refuses to write a record that is not valid", () => {
      assert.throws(() => encodeRecord({ ...step, seq: 0 } as JournalRecord));
    });
  });

  describe("scrubSecrets", () => {
    it("removes tokens and passwords from error text and keeps the rest", () => {
      const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
      const out = scrubSecrets(
        `POST /invitations failed: Authorization: Bearer ${jwt}; bind password=Pa55w.rd! client_secret: "abc~def"`,
      );
      assert.doesNotMatch(out, /eyJ|Pa55w|abc~def/);
      assert.match(out, /POST \/invitations failed/);
      assert.match(out, /password=\[redacted\]/);
    });

    it("cuts a long message short", () => {
      assert.ok(scrubSecrets("x".repeat(5000)).length <= 2000);
    });
  });

  describe("user directory names", () => {
    it("round-trip any user key and never start with a dot or hold a separator", () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (s) => {
          const key = userKey(s);
          if (key.length === 0) return;
          const name = encodeUserDir(key);
          assert.equal(decodeUserDir(name), key);
          assert.ok(!name.startsWith("."));
          assert.doesNotMatch(name, /[/\\:*?"<>|\s]/);
        }),
      );
    });

    it("keeps an ordinary UPN readable", () => {
      assert.equal(encodeUserDir("adele.vance@fabrikam.example"), "adele.vance@fabrikam.example");
      assert.equal(encodeUserDir("o'neil@fabrikam.example"), "o%27neil@fabrikam.example");
    });
  });
});

function reason(text: string): string {
  const d = decodeRecord(text);
  assert.equal(d.ok, false);
  return d.ok ? "" : d.reason;
}

function sha(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
