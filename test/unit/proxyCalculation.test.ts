import assert from "node:assert/strict";
import fc from "fast-check";
import {
  calculateProxyAddresses,
  type ProxyCalculationInput,
  type ProxyCalculationResult,
} from "../../emulator/proxyCalculation";
import { domainOf, parseProxyAddress, smtpAddresses } from "../../lib/addresses/proxyAddresses";

// The source tenant: fabrikam.example is verified, contoso.example (the target's domain) is not.
const TENANT = { verifiedDomains: ["fabrikam.example"], initialDomain: "fabrikam.onmicrosoft.com" };
const X500 = "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jane";
const SIP = "SIP:jane.doe@fabrikam.example";

// Jane after XT migration and the reach-back swap of seed 000: target address primary, the
// original demoted to a secondary, mail changed too.
const SWAPPED: ProxyCalculationInput = {
  ...TENANT,
  userPrincipalName: "jane.doe@fabrikam.example",
  mail: "jane.doe@contoso.example",
  proxyAddresses: ["SMTP:jane.doe@contoso.example", "smtp:jane.doe@fabrikam.example", X500, SIP],
  scrubbingTriggered: false,
  exchangeLicensed: false,
};

function calc(over: Partial<ProxyCalculationInput>): ProxyCalculationResult {
  return calculateProxyAddresses({ ...SWAPPED, ...over });
}

function removedValues(r: ProxyCalculationResult): string[] {
  return r.removed.map((x) => x.value);
}

function reasonFor(r: ProxyCalculationResult, value: string): string {
  const hit = r.removed.find((x) => x.value === value);
  assert.ok(hit, `${value} is not among the removed values ${JSON.stringify(r.removed)}`);
  return hit.reason;
}

const lowerSet = (values: readonly string[]) => new Set(values.map((v) => v.toLowerCase()));

describe("proxy calculation (emulated Entra ID)", () => {
  describe("proxy scrubbing and B2B reach-back (seed 000)", () => {
    it("a remote mailbox loses the unverified target address, and mail falls back", () => {
      const r = calc({ scrubbingTriggered: true });
      assert.equal(r.mail, "jane.doe@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, ["SMTP:jane.doe@fabrikam.example", X500, SIP]);
      assert.deepEqual(removedValues(r), ["SMTP:jane.doe@contoso.example", "jane.doe@contoso.example"]);
      const why = reasonFor(r, "SMTP:jane.doe@contoso.example");
      assert.match(why, /domain contoso\.example is not verified in the tenant and proxy scrubbing applies/);
      assert.match(why, /so jane\.doe@fabrikam\.example is primary instead$/);
      assert.match(reasonFor(r, "jane.doe@contoso.example"), /contoso\.example is not verified/);
    });

    it("the same user as a mail user without an Exchange plan keeps it as primary and as mail", () => {
      const r = calc({});
      assert.equal(r.mail, "jane.doe@contoso.example");
      assert.deepEqual(r.proxyAddresses, [
        "SMTP:jane.doe@contoso.example",
        "smtp:jane.doe@fabrikam.example",
        X500,
        SIP,
      ]);
      assert.deepEqual(r.removed, []);
    });

    it("after the revert, the target address stays as a secondary of a mail user", () => {
      const r = calc({
        mail: "jane.doe@fabrikam.example",
        proxyAddresses: ["smtp:jane.doe@contoso.example", "SMTP:jane.doe@fabrikam.example", X500],
      });
      assert.equal(r.mail, "jane.doe@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, [
        "SMTP:jane.doe@fabrikam.example",
        "smtp:jane.doe@contoso.example",
        X500,
      ]);
    });

    it("an Exchange plan scrubs even when no other trigger is reported", () => {
      const r = calc({ exchangeLicensed: true, scrubbingTriggered: false });
      assert.ok(!r.proxyAddresses.some((p) => p.toLowerCase().includes("contoso.example")));
      assert.match(reasonFor(r, "SMTP:jane.doe@contoso.example"), /an enabled Exchange Online service plan/);
    });

    it("names every trigger when it cannot tell which one applies", () => {
      const r = calc({ scrubbingTriggered: true });
      assert.match(
        reasonFor(r, "SMTP:jane.doe@contoso.example"),
        /a remote mailbox, an Exchange Online mailbox, or an Exchange Online or add-on service plan/,
      );
    });

    it("with nothing else left, the user is left without an address", () => {
      const r = calc({ scrubbingTriggered: true, proxyAddresses: ["SMTP:jane.doe@contoso.example"] });
      assert.equal(r.mail, null);
      assert.deepEqual(r.proxyAddresses, []);
      assert.match(reasonFor(r, "SMTP:jane.doe@contoso.example"), /left without one$/);
      assert.equal(r.mailNickname, "jane.doe");
    });

    it("an Exchange-licensed user whose target primary is scrubbed falls back to the UPN", () => {
      const r = calc({
        exchangeLicensed: true,
        userPrincipalName: "jdoe@fabrikam.example",
        proxyAddresses: ["SMTP:jane.doe@contoso.example"],
      });
      assert.equal(r.mail, "jdoe@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, [
        "SMTP:jdoe@fabrikam.example",
        "smtp:jdoe@fabrikam.onmicrosoft.com",
      ]);
    });

    it("sub-domains of a verified domain count only when verified themselves (unv)", () => {
      const proxyAddresses = ["SMTP:jane.doe@fabrikam.example", "smtp:jane.doe@sales.fabrikam.example"];
      const scrubbed = calc({ scrubbingTriggered: true, proxyAddresses, mail: undefined });
      assert.deepEqual(removedValues(scrubbed), ["smtp:jane.doe@sales.fabrikam.example"]);
      const listed = calc({
        scrubbingTriggered: true,
        proxyAddresses,
        mail: undefined,
        verifiedDomains: ["fabrikam.example", "Sales.Fabrikam.Example"],
      });
      assert.deepEqual(listed.removed, []);
      assert.equal(listed.proxyAddresses.length, 2);
    });

    it("the initial domain counts as verified, and domains compare without case", () => {
      const r = calc({
        scrubbingTriggered: true,
        verifiedDomains: ["FABRIKAM.example"],
        proxyAddresses: ["SMTP:Jane.Doe@Fabrikam.Example"],
        mail: undefined,
        exchangeLicensed: true,
      });
      assert.equal(r.mail, "Jane.Doe@Fabrikam.Example");
      assert.deepEqual(r.removed, []);
    });
  });

  describe("primary SMTP address and mail", () => {
    it("takes the on-premises SMTP: entry over mail, and says why mail was not used", () => {
      const r = calc({ mail: "jdoe@fabrikam.example", proxyAddresses: ["SMTP:jane.doe@fabrikam.example"] });
      assert.equal(r.mail, "jane.doe@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, ["SMTP:jane.doe@fabrikam.example"]);
      assert.match(reasonFor(r, "jdoe@fabrikam.example"), /sets mail from the primary SMTP address only/);
    });

    it("mail that is also a secondary stays a secondary and is not reported", () => {
      const r = calc({
        mail: "jdoe@fabrikam.example",
        proxyAddresses: ["SMTP:jane.doe@fabrikam.example", "smtp:JDoe@fabrikam.example"],
      });
      assert.deepEqual(r.proxyAddresses, ["SMTP:jane.doe@fabrikam.example", "smtp:JDoe@fabrikam.example"]);
      assert.deepEqual(r.removed, []);
    });

    it("takes mail when there is no SMTP: entry, promoting a matching secondary", () => {
      const r = calc({
        mail: "jane.doe@fabrikam.example",
        proxyAddresses: [X500, "smtp:Jane.Doe@fabrikam.example"],
      });
      assert.equal(r.mail, "jane.doe@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, ["SMTP:jane.doe@fabrikam.example", X500]);
    });

    it("takes the UPN only when Exchange licensed", () => {
      const bare = { mail: undefined, proxyAddresses: [] };
      const unlicensed = calc(bare);
      assert.equal(unlicensed.mail, null);
      assert.deepEqual(unlicensed.proxyAddresses, []);
      const licensed = calc({ ...bare, exchangeLicensed: true });
      assert.equal(licensed.mail, "jane.doe@fabrikam.example");
    });

    it("promotes the first surviving secondary when there is nothing better (unv)", () => {
      const r = calc({
        mail: undefined,
        proxyAddresses: [SIP, "smtp:jdoe@fabrikam.example", "smtp:j@fabrikam.example"],
      });
      assert.equal(r.mail, "jdoe@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, ["SMTP:jdoe@fabrikam.example", SIP, "smtp:j@fabrikam.example"]);
    });

    it("keeps the first SMTP: of a broken list as primary and demotes the others (unv)", () => {
      const r = calc({
        mail: undefined,
        proxyAddresses: ["SMTP:a@fabrikam.example", "SMTP:b@fabrikam.example", "smtp:A@FABRIKAM.example"],
      });
      assert.equal(r.mail, "a@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, ["SMTP:a@fabrikam.example", "smtp:b@fabrikam.example"]);
      assert.match(reasonFor(r, "smtp:A@FABRIKAM.example"), /duplicates a@fabrikam\.example/);
    });

    it("a case-only twin written SMTP: still marks its address primary", () => {
      const r = calc({
        mail: undefined,
        proxyAddresses: ["smtp:b@fabrikam.example", "smtp:a@fabrikam.example", "SMTP:A@fabrikam.example"],
      });
      assert.equal(r.mail, "a@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, ["SMTP:a@fabrikam.example", "smtp:b@fabrikam.example"]);
    });

    it("trims whitespace around values and mail", () => {
      const r = calc({
        mail: "  jane.doe@fabrikam.example ",
        proxyAddresses: ["  smtp:jdoe@fabrikam.example\t", ` ${X500} `],
      });
      assert.equal(r.mail, "jane.doe@fabrikam.example");
      assert.deepEqual(r.proxyAddresses, [
        "SMTP:jane.doe@fabrikam.example",
        "smtp:jdoe@fabrikam.example",
        X500,
      ]);
    });
  });

  describe("dropped values", () => {
    it("discards reserved domains even without any trigger", () => {
      const values = [
        "smtp:jane.doe@fabrikam.onmicrosoft.com",
        "smtp:jane.doe@fabrikam.mail.onmicrosoft.com",
        "smtp:jane.doe@Fabrikam.microsoftonline.com",
      ];
      const r = calc({ proxyAddresses: ["SMTP:jane.doe@fabrikam.example", ...values], mail: undefined });
      assert.deepEqual(r.proxyAddresses, ["SMTP:jane.doe@fabrikam.example"]);
      assert.deepEqual(removedValues(r), values);
      assert.match(reasonFor(r, values[0]), /fabrikam\.onmicrosoft\.com is reserved by Microsoft/);
    });

    it("discards a reserved mail", () => {
      const r = calc({ mail: "jane.doe@fabrikam.onmicrosoft.com", proxyAddresses: [] });
      assert.equal(r.mail, null);
      assert.match(reasonFor(r, "jane.doe@fabrikam.onmicrosoft.com"), /reserved/);
    });

    it("discards legacy address types and keeps X500, SIP and EUM even when scrubbing", () => {
      const eum = "EUM:4711;phone-context=dp.fabrikam.example";
      const sipTarget = "SIP:jane.doe@contoso.example";
      const r = calc({
        scrubbingTriggered: true,
        mail: undefined,
        proxyAddresses: [
          "SMTP:jane.doe@fabrikam.example",
          "X400:c=US;a= ;p=Fabrikam;o=Exchange;s=Doe;g=Jane;",
          "MS:FABRIKAM/HQ/JDOE",
          "x500:/o=Old/cn=jane",
          X500,
          SIP,
          sipTarget,
          eum,
        ],
      });
      assert.deepEqual(r.proxyAddresses, [
        "SMTP:jane.doe@fabrikam.example",
        "x500:/o=Old/cn=jane",
        X500,
        SIP,
        sipTarget,
        eum,
      ]);
      assert.match(reasonFor(r, "MS:FABRIKAM/HQ/JDOE"), /MS is a legacy address type/);
      assert.equal(r.removed.length, 2);
    });

    it("discards malformed values with a reason each", () => {
      const malformed = [
        "jane.doe@fabrikam.example",
        "smtp:jane doe@fabrikam.example",
        "smtp:jane@",
        "",
        "SMTP:",
      ];
      const r = calc({
        mail: "not an address",
        proxyAddresses: [...malformed, "smtp:jdoe@fabrikam.example"],
      });
      assert.deepEqual(removedValues(r), [...malformed, "not an address"]);
      assert.match(reasonFor(r, "jane.doe@fabrikam.example"), /no address type prefix/);
      assert.match(reasonFor(r, "smtp:jane doe@fabrikam.example"), /not a valid SMTP address/);
      assert.match(reasonFor(r, ""), /empty/);
      assert.deepEqual(r.proxyAddresses, ["SMTP:jdoe@fabrikam.example"]);
    });

    it("keeps one of each duplicate value", () => {
      const r = calc({
        mail: undefined,
        proxyAddresses: ["SMTP:a@fabrikam.example", X500, X500.toLowerCase(), "smtp:a@fabrikam.example"],
      });
      assert.deepEqual(r.proxyAddresses, ["SMTP:a@fabrikam.example", X500]);
      assert.deepEqual(removedValues(r), [X500.toLowerCase(), "smtp:a@fabrikam.example"]);
    });
  });

  describe("Exchange Online licence", () => {
    it("adds the MOERA and the UPN as secondaries", () => {
      const r = calc({
        exchangeLicensed: true,
        userPrincipalName: "jdoe@fabrikam.example",
        mail: "jane.doe@fabrikam.example",
        proxyAddresses: ["SMTP:jane.doe@fabrikam.example", X500],
      });
      assert.equal(r.mailNickname, "jane.doe");
      assert.deepEqual(r.proxyAddresses, [
        "SMTP:jane.doe@fabrikam.example",
        X500,
        "smtp:jane.doe@fabrikam.onmicrosoft.com",
        "smtp:jdoe@fabrikam.example",
      ]);
    });

    it("builds the MOERA from the on-premises mailNickname when set", () => {
      const r = calc({
        exchangeLicensed: true,
        mailNickname: "jdoe",
        proxyAddresses: ["SMTP:jane.doe@fabrikam.example"],
      });
      assert.equal(r.mailNickname, "jdoe");
      assert.ok(r.proxyAddresses.includes("smtp:jdoe@fabrikam.onmicrosoft.com"));
    });

    it("does not add what is already there", () => {
      const r = calc({
        exchangeLicensed: true,
        mail: undefined,
        proxyAddresses: ["SMTP:jane.doe@fabrikam.example", "smtp:JANE.DOE@fabrikam.onmicrosoft.com"],
      });
      assert.deepEqual(r.proxyAddresses, [
        "SMTP:jane.doe@fabrikam.example",
        "smtp:jane.doe@fabrikam.onmicrosoft.com",
      ]);
      // The on-premises copy is discarded as reserved; Entra adds its own.
      assert.deepEqual(removedValues(r), ["smtp:JANE.DOE@fabrikam.onmicrosoft.com"]);
    });

    it("explains a MOERA or UPN it cannot add", () => {
      const r = calc({
        exchangeLicensed: true,
        mailNickname: "jane doe",
        userPrincipalName: "jane.doe@contoso.example",
        proxyAddresses: ["SMTP:jdoe@fabrikam.example"],
        mail: undefined,
      });
      assert.deepEqual(r.proxyAddresses, ["SMTP:jdoe@fabrikam.example"]);
      assert.match(reasonFor(r, "smtp:jane doe@fabrikam.onmicrosoft.com"), /does not form a valid address/);
      assert.match(
        reasonFor(r, "smtp:jane.doe@contoso.example"),
        /the UPN cannot be added: its domain contoso\.example is not verified/,
      );
    });

    it("falls back to the MOERA as primary when nothing else is left (the KB's scenario 4)", () => {
      const r = calc({
        exchangeLicensed: true,
        userPrincipalName: "jane.doe@contoso.example",
        proxyAddresses: [],
        mail: undefined,
      });
      assert.equal(r.mail, "jane.doe@fabrikam.onmicrosoft.com");
      assert.deepEqual(r.proxyAddresses, ["SMTP:jane.doe@fabrikam.onmicrosoft.com"]);
    });
  });

  describe("the KB's scenarios (How the proxyAddresses attribute is populated in Microsoft Entra ID)", () => {
    const contoso = { verifiedDomains: ["Contoso.com"], initialDomain: "Contoso.onmicrosoft.com" };
    const none = { mail: undefined, proxyAddresses: [], scrubbingTriggered: false, exchangeLicensed: false };

    it("1: no mail or proxyAddresses; licensed: UPN primary plus MOERA", () => {
      const before = calculateProxyAddresses({
        ...contoso,
        ...none,
        userPrincipalName: "user1upn@Contoso.com",
      });
      assert.deepEqual([before.mail, before.mailNickname, before.proxyAddresses], [null, "user1upn", []]);
      const after = calculateProxyAddresses({
        ...contoso,
        ...none,
        userPrincipalName: "user1upn@Contoso.com",
        exchangeLicensed: true,
      });
      assert.equal(after.mail, "user1upn@Contoso.com");
      assert.deepEqual(
        lowerSet(after.proxyAddresses),
        lowerSet(["smtp:user1upn@Contoso.onmicrosoft.com", "SMTP:user1upn@Contoso.com"]),
      );
    });

    it("2: mail only; licensed: adds UPN and MOERA built from the mail prefix", () => {
      const user = {
        ...contoso,
        ...none,
        userPrincipalName: "user2upn@Contoso.com",
        mail: "user2mail@Contoso.com",
      };
      const before = calculateProxyAddresses(user);
      assert.deepEqual(
        [before.mail, before.mailNickname, before.proxyAddresses],
        ["user2mail@Contoso.com", "user2mail", ["SMTP:user2mail@Contoso.com"]],
      );
      const after = calculateProxyAddresses({ ...user, exchangeLicensed: true });
      assert.deepEqual(
        lowerSet(after.proxyAddresses),
        lowerSet([
          "smtp:user2upn@Contoso.com",
          "smtp:user2mail@Contoso.onmicrosoft.com",
          "SMTP:user2mail@Contoso.com",
        ]),
      );
      assert.equal(after.proxyAddresses[0], "SMTP:user2mail@Contoso.com");
    });

    it("3: reserved suffixes are skipped", () => {
      const r = calculateProxyAddresses({
        ...contoso,
        ...none,
        exchangeLicensed: true,
        userPrincipalName: "user3upn@Contoso.com",
        proxyAddresses: [
          "smtp:user3pa3@Fabrikam.microsoftonline.com",
          "smtp:user3pa2@Contoso.onmicrosoft.com",
          "SMTP:user3pa1@Contoso.com",
        ],
      });
      assert.equal(r.mail, "user3pa1@Contoso.com");
      assert.equal(r.mailNickname, "user3pa1");
      assert.deepEqual(
        lowerSet(r.proxyAddresses),
        lowerSet([
          "smtp:user3upn@Contoso.com",
          "smtp:user3pa1@Contoso.onmicrosoft.com",
          "SMTP:user3pa1@Contoso.com",
        ]),
      );
      assert.deepEqual(removedValues(r), [
        "smtp:user3pa3@Fabrikam.microsoftonline.com",
        "smtp:user3pa2@Contoso.onmicrosoft.com",
      ]);
    });
  });

  describe("properties", () => {
    const verified = ["fabrikam.example", "sales.fabrikam.example"];
    const domains = [
      ...verified,
      "contoso.example",
      "fabrikam.onmicrosoft.com",
      "fabrikam.mail.onmicrosoft.com",
    ];
    const address = fc
      .tuple(
        // A small pool of local parts so that lists often hold case-only duplicates.
        fc.oneof(
          fc.constantFrom("jane", "jdoe", "jane.doe"),
          fc.stringMatching(/^[a-z0-9]{1,6}(\.[a-z0-9]{1,6})?$/),
        ),
        fc.constantFrom(...domains),
        fc.boolean(),
      )
      .map(([local, domain, upper]) => (upper ? `${local.toUpperCase()}@${domain}` : `${local}@${domain}`));
    const value = fc.oneof(
      fc.tuple(fc.constantFrom("SMTP", "smtp"), address).map(([t, a]) => `${t}:${a}`),
      address.map((a) => `SIP:${a}`),
      fc.stringMatching(/^[a-z]{1,5}$/).map((cn) => `X500:/o=Org/cn=${cn}`),
      fc.constantFrom(
        "X400:c=US;p=Fabrikam;s=Doe;",
        "smtp:bad address@fabrikam.example",
        "no-prefix@fabrikam.example",
        "",
      ),
    );
    const input = fc.record({
      userPrincipalName: fc.stringMatching(/^[a-z]{1,6}$/).map((l) => `${l}@fabrikam.example`),
      mail: fc.option(address, { nil: undefined }),
      proxyAddresses: fc.array(value, { maxLength: 8 }),
      mailNickname: fc.option(fc.stringMatching(/^[a-z]{1,6}$/), { nil: undefined }),
      verifiedDomains: fc.constant(verified),
      initialDomain: fc.constant("fabrikam.onmicrosoft.com"),
      scrubbingTriggered: fc.boolean(),
      exchangeLicensed: fc.boolean(),
    });
    const smtpOf = (list: readonly string[]) =>
      list.filter((v) => parseProxyAddress(v).type.toLowerCase() === "smtp").map((v) => parseProxyAddress(v));

    it("one SMTP: exactly when there is a mail, and mail is its address", () => {
      fc.assert(
        fc.property(input, (i) => {
          const r = calculateProxyAddresses(i);
          const primaries = smtpOf(r.proxyAddresses).filter((p) => p.isPrimary);
          assert.deepEqual(
            primaries.map((p) => p.address),
            r.mail === null ? [] : [r.mail],
          );
          if (r.mail !== null) assert.equal(r.proxyAddresses[0], `SMTP:${r.mail}`);
        }),
      );
    });

    it("no value twice, compared without case", () => {
      fc.assert(
        fc.property(input, (i) => {
          const r = calculateProxyAddresses(i);
          const keys = r.proxyAddresses.map((v) => {
            const p = parseProxyAddress(v);
            return p.type.toLowerCase() === "smtp" ? `smtp:${p.address.toLowerCase()}` : v.toLowerCase();
          });
          assert.equal(new Set(keys).size, keys.length);
        }),
      );
    });

    it("when scrubbing applies, every SMTP address is in a verified domain", () => {
      fc.assert(
        fc.property(input, (i) => {
          const r = calculateProxyAddresses(i);
          if (!i.scrubbingTriggered && !i.exchangeLicensed) return;
          for (const p of smtpOf(r.proxyAddresses)) {
            assert.ok([...verified, "fabrikam.onmicrosoft.com"].includes(domainOf(p.address)), p.address);
          }
        }),
      );
    });

    it("without any trigger, every valid on-premises address in a non-reserved domain survives (reach-back)", () => {
      fc.assert(
        fc.property(input, (i) => {
          const r = calculateProxyAddresses({ ...i, scrubbingTriggered: false, exchangeLicensed: false });
          const out = lowerSet(smtpAddresses(r.proxyAddresses));
          for (const p of smtpOf(i.proxyAddresses.filter((v) => /^smtp:[^ ]+$/i.test(v)))) {
            if (!domainOf(p.address).endsWith("onmicrosoft.com"))
              assert.ok(out.has(p.address.toLowerCase()), p.address);
          }
        }),
      );
    });

    it("every on-premises value is either kept or explained", () => {
      fc.assert(
        fc.property(input, (i) => {
          const r = calculateProxyAddresses(i);
          const kept = lowerSet(r.proxyAddresses.map((v) => v.replace(/^smtp:/i, "smtp:")));
          for (const v of i.proxyAddresses) {
            const normal = v
              .trim()
              .replace(/^smtp:/i, "smtp:")
              .toLowerCase();
            const explained = r.removed.some((x) => x.value === v && x.reason.length > 0);
            assert.ok(kept.has(normal) || explained, `${v} vanished: ${JSON.stringify(r)}`);
          }
        }),
      );
    });

    it("an Exchange-licensed user always has the MOERA and the UPN", () => {
      fc.assert(
        fc.property(input, (i) => {
          const r = calculateProxyAddresses({ ...i, exchangeLicensed: true });
          const out = lowerSet(smtpAddresses(r.proxyAddresses));
          assert.ok(out.has(`${r.mailNickname}@fabrikam.onmicrosoft.com`.toLowerCase()));
          assert.ok(out.has(i.userPrincipalName));
        }),
      );
    });

    it("syncing the result again changes nothing", () => {
      fc.assert(
        fc.property(input, (i) => {
          const first = calculateProxyAddresses(i);
          const again = calculateProxyAddresses({
            ...i,
            mail: first.mail ?? undefined,
            mailNickname: first.mailNickname,
            proxyAddresses: first.proxyAddresses,
          });
          assert.equal(again.mail, first.mail);
          assert.deepEqual(lowerSet(again.proxyAddresses), lowerSet(first.proxyAddresses));
        }),
      );
    });
  });
});
