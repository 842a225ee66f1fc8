import assert from "node:assert/strict";
import fc from "fast-check";
import {
  AddressError,
  addSecondarySmtp,
  domainOf,
  formatProxyAddress,
  hasAddress,
  isValidSmtpAddress,
  makePrimarySmtp,
  parseProxyAddress,
  primarySmtp,
  removeSmtp,
  sameAddress,
  smtpAddresses,
} from "../../lib/addresses/proxyAddresses";

const X500 = "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jane";
const SIP = "SIP:jane.doe@fabrikam.example";
// A user as XT migration leaves it: fabrikam.example is the source, contoso.example the target.
const JANE = [
  "SMTP:jane.doe@fabrikam.example",
  "smtp:jdoe@fabrikam.example",
  X500,
  SIP,
  "smtp:jane.doe@fabrikam.mail.onmicrosoft.com",
];
const TARGET = "jane.doe@contoso.example";

describe("proxyAddresses algebra", () => {
  describe("parseProxyAddress / formatProxyAddress", () => {
    it("reads the type as written and the primary flag from its case", () => {
      assert.deepEqual(parseProxyAddress("SMTP:jane.doe@fabrikam.example"), {
        type: "SMTP",
        address: "jane.doe@fabrikam.example",
        isPrimary: true,
      });
      assert.deepEqual(parseProxyAddress("smtp:jdoe@fabrikam.example"), {
        type: "smtp",
        address: "jdoe@fabrikam.example",
        isPrimary: false,
      });
      assert.equal(parseProxyAddress("x500:/o=Org/cn=jane").isPrimary, false);
      assert.equal(parseProxyAddress("Smtp:jane@fabrikam.example").isPrimary, false);
    });

    it("keeps everything after the first colon, spaces inside X500 included", () => {
      const p = parseProxyAddress(X500);
      assert.equal(p.type, "X500");
      assert.equal(p.address, X500.slice(5));
      assert.equal(
        parseProxyAddress("EUM:1234;phone-context=dp.fabrikam.example").address,
        "1234;phone-context=dp.fabrikam.example",
      );
    });

    it("trims whitespace around the value and after the colon", () => {
      assert.deepEqual(parseProxyAddress("  smtp: jdoe@fabrikam.example \t"), {
        type: "smtp",
        address: "jdoe@fabrikam.example",
        isPrimary: false,
      });
    });

    it("refuses values without a type prefix", () => {
      for (const bad of [
        "jane@fabrikam.example",
        ":jane@fabrikam.example",
        "",
        "   ",
        "SMTP :jane@x.example",
        "1SMTP:x",
      ]) {
        assert.throws(() => parseProxyAddress(bad), AddressError, bad);
      }
      assert.throws(() => parseProxyAddress("SMTP:"), /no address/);
      assert.throws(() => parseProxyAddress("jane@fabrikam.example"), /needs a type prefix/);
    });

    it("writes the prefix in the case isPrimary asks for", () => {
      assert.equal(
        formatProxyAddress({ type: "smtp", address: "a@b.example", isPrimary: true }),
        "SMTP:a@b.example",
      );
      assert.equal(
        formatProxyAddress({ type: "SMTP", address: "a@b.example", isPrimary: false }),
        "smtp:a@b.example",
      );
      assert.equal(formatProxyAddress(parseProxyAddress(X500)), X500);
      assert.throws(() => formatProxyAddress({ type: "", address: "a", isPrimary: false }), AddressError);
      assert.throws(() => formatProxyAddress({ type: "SMTP", address: "", isPrimary: true }), AddressError);
    });
  });

  describe("isValidSmtpAddress", () => {
    it("accepts ordinary addresses", () => {
      for (const ok of [
        "jane.doe@fabrikam.example",
        "o'brien+tag@mail.contoso.example",
        "a@b.co",
        "j_d-1@xn--bcher-kva.example",
        `${"a".repeat(64)}@fabrikam.example`,
      ]) {
        assert.ok(isValidSmtpAddress(ok), ok);
      }
    });

    it("refuses what Exchange would not take", () => {
      for (const bad of [
        "",
        "jane",
        "@fabrikam.example",
        "jane@",
        "jane@localhost",
        "jane doe@fabrikam.example",
        " jane@fabrikam.example",
        "jane@fabrikam.example ",
        "jane@fabrikam..example",
        ".jane@fabrikam.example",
        "jane.@fabrikam.example",
        "ja..ne@fabrikam.example",
        "jane@-fabrikam.example",
        "jane@fabrikam-.example",
        "jane@10.0.0.1",
        "jane@[10.0.0.1]",
        '"jane doe"@fabrikam.example',
        "jäne@fabrikam.example",
        "jane@fabrikam@contoso.example",
        "jane@fab_rikam.example",
        `${"a".repeat(65)}@fabrikam.example`,
        `jane@${"a".repeat(64)}.example`,
        `${"a".repeat(60)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.example`,
      ]) {
        assert.ok(!isValidSmtpAddress(bad), bad);
      }
    });

    it("limits the whole address to 254 octets", () => {
      const domain = `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.example`;
      const local254 = "a".repeat(254 - domain.length - 1);
      assert.ok(local254.length <= 64);
      assert.ok(isValidSmtpAddress(`${local254}@${domain}`));
      assert.ok(!isValidSmtpAddress(`${local254}a@${domain}`));
    });
  });

  describe("queries", () => {
    it("finds the primary, the first SMTP: when a broken list has several", () => {
      assert.equal(primarySmtp(JANE), "jane.doe@fabrikam.example");
      assert.equal(primarySmtp(["smtp:a@b.example", "SMTP:c@d.example", "SMTP:e@f.example"]), "c@d.example");
      assert.equal(primarySmtp(["smtp:a@b.example", X500, "SIP:x@y.example"]), undefined);
      assert.equal(primarySmtp([]), undefined);
      assert.equal(primarySmtp(["  SMTP:c@d.example "]), "c@d.example");
    });

    it("lists SMTP addresses once each, the primary first", () => {
      assert.deepEqual(smtpAddresses(JANE), [
        "jane.doe@fabrikam.example",
        "jdoe@fabrikam.example",
        "jane.doe@fabrikam.mail.onmicrosoft.com",
      ]);
      assert.deepEqual(smtpAddresses(["smtp:A@b.example", "SMTP:c@d.example", "smtp:a@B.example", "junk"]), [
        "c@d.example",
        "A@b.example",
      ]);
    });

    it("matches SMTP addresses without regard to case, and only SMTP ones", () => {
      assert.ok(hasAddress(JANE, "JDoe@Fabrikam.Example"));
      assert.ok(hasAddress(JANE, " jane.doe@fabrikam.example "));
      assert.ok(!hasAddress(["SIP:jane@fabrikam.example"], "jane@fabrikam.example"));
      assert.ok(!hasAddress(["jane@fabrikam.example"], "jane@fabrikam.example"));
    });

    it("compares addresses and reads domains in lower case", () => {
      assert.ok(sameAddress("Jane.Doe@Fabrikam.Example", "jane.doe@fabrikam.example"));
      assert.ok(!sameAddress("jane@fabrikam.example", "jane@contoso.example"));
      assert.equal(domainOf("Jane@Mail.Contoso.Example"), "mail.contoso.example");
      assert.throws(() => domainOf("jane"), AddressError);
      assert.throws(() => domainOf("jane@"), AddressError);
    });
  });

  describe("makePrimarySmtp", () => {
    it("swaps in the target address and demotes the old primary (seed 000)", () => {
      assert.deepEqual(makePrimarySmtp(JANE, TARGET), [
        `SMTP:${TARGET}`,
        "smtp:jane.doe@fabrikam.example",
        "smtp:jdoe@fabrikam.example",
        X500,
        SIP,
        "smtp:jane.doe@fabrikam.mail.onmicrosoft.com",
      ]);
    });

    it("reverts to the original primary and keeps the target as a secondary (seed 000)", () => {
      const reverted = makePrimarySmtp(makePrimarySmtp(JANE, TARGET), "jane.doe@fabrikam.example");
      assert.equal(primarySmtp(reverted), "jane.doe@fabrikam.example");
      assert.deepEqual(reverted, [
        `smtp:${TARGET}`,
        "SMTP:jane.doe@fabrikam.example",
        "smtp:jdoe@fabrikam.example",
        X500,
        SIP,
        "smtp:jane.doe@fabrikam.mail.onmicrosoft.com",
      ]);
    });

    it("promotes an existing entry in place, written as given", () => {
      assert.deepEqual(makePrimarySmtp(JANE, "JDoe@Fabrikam.example"), [
        "smtp:jane.doe@fabrikam.example",
        "SMTP:JDoe@Fabrikam.example",
        X500,
        SIP,
        "smtp:jane.doe@fabrikam.mail.onmicrosoft.com",
      ]);
    });

    it("leaves exactly one SMTP: when the list had several, and drops case-only duplicates", () => {
      const broken = [
        "SMTP:a@fabrikam.example",
        "smtp:b@fabrikam.example",
        "SMTP:c@fabrikam.example",
        "smtp:A@Fabrikam.example",
      ];
      assert.deepEqual(makePrimarySmtp(broken, "b@fabrikam.example"), [
        "smtp:a@fabrikam.example",
        "SMTP:b@fabrikam.example",
        "smtp:c@fabrikam.example",
      ]);
      assert.deepEqual(makePrimarySmtp(broken, "d@fabrikam.example"), [
        "SMTP:d@fabrikam.example",
        "smtp:a@fabrikam.example",
        "smtp:b@fabrikam.example",
        "smtp:c@fabrikam.example",
      ]);
    });

    it("normalises whitespace in SMTP entries but leaves other values alone", () => {
      assert.deepEqual(
        makePrimarySmtp([" SMTP:a@fabrikam.example ", " X500:/o=Org ", "junk"], "b@fabrikam.example"),
        ["SMTP:b@fabrikam.example", "smtp:a@fabrikam.example", " X500:/o=Org ", "junk"],
      );
    });

    it("adds the address last to a list without a primary", () => {
      assert.deepEqual(makePrimarySmtp([], "a@fabrikam.example"), ["SMTP:a@fabrikam.example"]);
      assert.deepEqual(makePrimarySmtp([X500, "smtp:b@fabrikam.example"], " a@fabrikam.example "), [
        X500,
        "smtp:b@fabrikam.example",
        "SMTP:a@fabrikam.example",
      ]);
    });

    it("refuses an invalid address", () => {
      assert.throws(() => makePrimarySmtp(JANE, "jane doe@contoso.example"), AddressError);
      assert.throws(() => makePrimarySmtp(JANE, "SMTP:jane@contoso.example"), /not a valid SMTP address/);
    });
  });

  describe("addSecondarySmtp", () => {
    it("appends smtp:, never a primary", () => {
      assert.deepEqual(addSecondarySmtp(JANE, TARGET), [...JANE, `smtp:${TARGET}`]);
      assert.deepEqual(addSecondarySmtp([], TARGET), [`smtp:${TARGET}`]);
    });

    it("does nothing when the address is there in any case", () => {
      assert.deepEqual(addSecondarySmtp(JANE, "JANE.DOE@fabrikam.example"), JANE);
      assert.deepEqual(addSecondarySmtp(JANE, "jdoe@FABRIKAM.example"), JANE);
    });

    it("refuses an invalid address", () => {
      assert.throws(() => addSecondarySmtp(JANE, "jane@"), AddressError);
    });
  });

  describe("removeSmtp", () => {
    it("removes every case variant of a secondary", () => {
      assert.deepEqual(removeSmtp([...JANE, "smtp:JDOE@fabrikam.example"], "jdoe@fabrikam.example"), [
        "SMTP:jane.doe@fabrikam.example",
        X500,
        SIP,
        "smtp:jane.doe@fabrikam.mail.onmicrosoft.com",
      ]);
    });

    it("refuses to remove the primary until another is made primary", () => {
      assert.throws(() => removeSmtp(JANE, "Jane.Doe@fabrikam.example"), /primary SMTP address/);
      const swapped = makePrimarySmtp(JANE, TARGET);
      assert.ok(!hasAddress(removeSmtp(swapped, "jane.doe@fabrikam.example"), "jane.doe@fabrikam.example"));
    });

    it("does nothing for an absent address and never touches non-SMTP values", () => {
      assert.deepEqual(removeSmtp(JANE, "nobody@fabrikam.example"), JANE);
      assert.deepEqual(removeSmtp([SIP], "jane.doe@fabrikam.example"), [SIP]);
    });
  });

  describe("properties", () => {
    const domains = [
      "fabrikam.example",
      "contoso.example",
      "mail.contoso.example",
      "fabrikam.mail.onmicrosoft.com",
    ];
    const randomCase = (s: string, flips: boolean[]) =>
      [...s].map((c, i) => (flips[i % Math.max(flips.length, 1)] ? c.toUpperCase() : c)).join("");
    const address = fc
      .tuple(
        // A small pool of local parts so that lists often hold case-only duplicates.
        fc.oneof(
          fc.constantFrom("jane", "jdoe", "jane.doe"),
          fc.stringMatching(/^[a-z0-9]{1,8}(\.[a-z0-9]{1,8})?$/),
        ),
        fc.constantFrom(...domains),
        fc.array(fc.boolean()),
      )
      .map(([local, domain, flips]) => randomCase(`${local}@${domain}`, flips));
    const padding = fc.constantFrom("", " ", "\t", "  ");
    const smtpEntry = fc
      .tuple(fc.constantFrom("SMTP", "smtp"), address, padding, padding)
      .map(([type, a, before, after]) => `${before}${type}:${a}${after}`);
    const otherEntry = fc.oneof(
      fc
        .stringMatching(/^[a-z]{1,6}$/)
        .map((cn) => `X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=${cn}`),
      fc.stringMatching(/^[a-z]{1,6}$/).map((cn) => `x500:/o=Org/cn=${cn}`),
      address.map((a) => `SIP:${a}`),
      fc.stringMatching(/^[0-9]{4}$/).map((n) => `EUM:${n};phone-context=dp.fabrikam.example`),
      fc.constant("junk without a prefix"),
    );
    const proxies = fc.array(fc.oneof(smtpEntry, otherEntry), { maxLength: 10 });
    const withPrimary = fc.tuple(proxies, address, fc.nat()).map(([list, primary, at]) => {
      const copy = list.filter((v) => !isSmtp(v) || !sameAddress(parseProxyAddress(v).address, primary));
      copy.splice(at % (copy.length + 1), 0, `SMTP:${primary}`);
      return copy;
    });

    function isSmtp(v: string): boolean {
      try {
        return parseProxyAddress(v).type.toLowerCase() === "smtp";
      } catch {
        return false;
      }
    }
    const nonSmtp = (list: readonly string[]) => list.filter((v) => !isSmtp(v));
    const primaries = (list: readonly string[]) =>
      list.filter((v) => isSmtp(v) && parseProxyAddress(v).isPrimary);
    const keySet = (list: readonly string[]) => new Set(smtpAddresses(list).map((a) => a.toLowerCase()));

    it("makePrimarySmtp: one SMTP:, the given address, old ∪ {new}, other values untouched, no duplicates", () => {
      fc.assert(
        fc.property(proxies, address, (list, a) => {
          const out = makePrimarySmtp(list, a);
          assert.deepEqual(primaries(out), [`SMTP:${a}`]);
          assert.equal(primarySmtp(out), a);
          assert.deepEqual(keySet(out), new Set([...keySet(list), a.toLowerCase()]));
          assert.deepEqual(nonSmtp(out), nonSmtp(list));
          const smtp = out.filter(isSmtp).map((v) => parseProxyAddress(v).address.toLowerCase());
          assert.equal(new Set(smtp).size, smtp.length);
        }),
      );
    });

    it("makePrimarySmtp is idempotent", () => {
      fc.assert(
        fc.property(proxies, address, (list, a) => {
          const once = makePrimarySmtp(list, a);
          assert.deepEqual(makePrimarySmtp(once, a), once);
        }),
      );
    });

    it("swap then revert restores the primary and keeps the target as a secondary (seed 000)", () => {
      fc.assert(
        fc.property(withPrimary, address, (list, target) => {
          const original = primarySmtp(list);
          assert.ok(original !== undefined);
          const reverted = makePrimarySmtp(makePrimarySmtp(list, target), original);
          assert.equal(primarySmtp(reverted), original);
          assert.deepEqual(primaries(reverted), [`SMTP:${original}`]);
          assert.ok(hasAddress(reverted, target));
          assert.deepEqual(keySet(reverted), new Set([...keySet(list), target.toLowerCase()]));
          assert.deepEqual(nonSmtp(reverted), nonSmtp(list));
        }),
      );
    });

    it("addSecondarySmtp keeps the primary, adds at most one value and is idempotent", () => {
      fc.assert(
        fc.property(proxies, address, (list, a) => {
          const out = addSecondarySmtp(list, a);
          assert.equal(primarySmtp(out), primarySmtp(list));
          assert.ok(hasAddress(out, a));
          assert.ok(out.length - list.length <= 1);
          assert.deepEqual(addSecondarySmtp(out, a), out);
          assert.deepEqual(nonSmtp(out), nonSmtp(list));
        }),
      );
    });

    it("removeSmtp removes a secondary entirely and refuses the primary", () => {
      fc.assert(
        fc.property(withPrimary, address, (list, a) => {
          const primary = primarySmtp(list) ?? "";
          if (primaries(list).some((v) => sameAddress(parseProxyAddress(v).address, a))) {
            assert.throws(() => removeSmtp(list, a), AddressError);
            return;
          }
          const out = removeSmtp(list, a);
          assert.ok(!hasAddress(out, a));
          assert.equal(primarySmtp(out), primary);
          assert.deepEqual(nonSmtp(out), nonSmtp(list));
          assert.throws(() => removeSmtp(list, primary), AddressError);
        }),
      );
    });

    it("format and parse round-trip", () => {
      const proxy = fc.record({
        type: fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,5}$/),
        address: fc.stringMatching(/^\S(.*\S)?$/),
        isPrimary: fc.boolean(),
      });
      fc.assert(
        fc.property(proxy, (p) => {
          const type = p.isPrimary ? p.type.toUpperCase() : p.type.toLowerCase();
          assert.deepEqual(parseProxyAddress(formatProxyAddress(p)), { ...p, type });
        }),
      );
    });

    it("generated addresses are valid, and a space anywhere makes them invalid", () => {
      fc.assert(
        fc.property(address, fc.nat(), (a, at) => {
          assert.ok(isValidSmtpAddress(a));
          const i = at % (a.length + 1);
          assert.ok(!isValidSmtpAddress(`${a.slice(0, i)} ${a.slice(i)}`));
        }),
      );
    });
  });
});
