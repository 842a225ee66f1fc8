// The third-party path's attribute algebra (lib/reachBack/thirdParty.ts): the net change of
// Disable-RemoteMailbox + Enable-MailUser + restore from a captured remote mailbox, and that
// nothing (no address, no extension attribute) is lost on the way.
import assert from "node:assert/strict";
import type { AdAttributes } from "../../lib/journal/records";
import {
  disableRemoteMailbox,
  extensionAttributesOf,
  lostValues,
  thirdPartyConversion,
  thirdPartyEndState,
} from "../../lib/reachBack/thirdParty";
import { isMailUser, swappedAddresses } from "../../lib/reachBack/userState";

const ROUTING = "amara.okafor@contoso.mail.onmicrosoft.com";

/** Amara as seed.ldif has her: a migrated remote mailbox with three extension attributes. */
function captured(): AdAttributes {
  return {
    mail: "amara.okafor@fabrikam.example",
    proxyAddresses: [
      "SMTP:amara.okafor@fabrikam.example",
      "smtp:amara.okafor@fabrikam.mail.onmicrosoft.com",
      "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=amara",
      "SIP:amara.okafor@fabrikam.example",
    ],
    targetAddress: "SMTP:amara.okafor@fabrikam.mail.onmicrosoft.com",
    msExchRecipientDisplayType: -2147483642,
    msExchRecipientTypeDetails: 2147483648,
    msExchRemoteRecipientType: 4,
    extensionAttributes: extensionAttributesOf({
      extensionAttributes: {
        extensionAttribute1: "FIN",
        extensionAttribute2: "CC-4410",
        extensionAttribute15: "x",
      },
    }),
  };
}

describe("unit: thirdParty path, the net attribute change (thirdParty.ts)", () => {
  it("records all fifteen extension attributes, null where unset", () => {
    const ext = captured().extensionAttributes ?? {};
    assert.equal(Object.keys(ext).length, 15);
    assert.equal(ext.extensionAttribute1, "FIN");
    assert.equal(ext.extensionAttribute3, null);
  });

  it("Disable-RemoteMailbox alone would lose every address and extension attribute", () => {
    const off = disableRemoteMailbox(captured());
    assert.deepEqual(lostValues(captured(), off).length, 1 + 3, lostValues(captured(), off).join("\n"));
  });

  it("the three cmdlets end as a mail user routed to the target, with every address and extension attribute as captured", () => {
    const end = thirdPartyEndState(captured(), ROUTING);
    assert.ok(isMailUser(end));
    assert.equal(end.targetAddress, `SMTP:${ROUTING}`);
    assert.equal(end.mail, captured().mail);
    assert.deepEqual(end.proxyAddresses, captured().proxyAddresses);
    assert.deepEqual(end.extensionAttributes, captured().extensionAttributes);
    assert.deepEqual(lostValues(captured(), end), []);
  });

  it("writes exactly targetAddress and the three msExch attributes on a captured remote mailbox", () => {
    const w = thirdPartyConversion(captured(), captured(), ROUTING);
    assert.deepEqual(w, {
      targetAddress: `SMTP:${ROUTING}`,
      msExchRecipientDisplayType: 6,
      msExchRecipientTypeDetails: 128,
      msExchRemoteRecipientType: null,
    });
    const after = { ...captured(), ...w };
    assert.deepEqual(lostValues(captured(), after), [], "nothing lost");
    assert.deepEqual(thirdPartyConversion(captured(), after, ROUTING), {}, "a second run writes nothing");
  });

  it("puts back what was lost since the capture (a Disable-RemoteMailbox run by hand), and nothing else", () => {
    const cleared = disableRemoteMailbox(captured());
    const w = thirdPartyConversion(captured(), cleared, ROUTING);
    assert.equal(w.mail, captured().mail);
    assert.deepEqual(w.proxyAddresses, captured().proxyAddresses);
    assert.deepEqual(w.extensionAttributes, {
      extensionAttribute1: "FIN",
      extensionAttribute2: "CC-4410",
      extensionAttribute15: "x",
    });
    assert.deepEqual(lostValues(captured(), { ...cleared, ...w } as AdAttributes), []);
  });

  it("keeps values set since the capture and never undoes the swap", () => {
    const now = captured();
    now.extensionAttributes = { ...now.extensionAttributes, extensionAttribute1: "HR-changed" };
    const swapped = { ...now, ...swappedAddresses(now, "amara.okafor@contoso.example") };
    // An address lost after the swap comes back as a secondary: the swap's primary stays.
    swapped.proxyAddresses = swapped.proxyAddresses.filter((p) => !p.startsWith("SIP:"));
    const w = thirdPartyConversion(captured(), swapped, ROUTING);
    assert.equal(w.extensionAttributes, undefined, "a value present now is not overwritten");
    assert.deepEqual(w.proxyAddresses, [...swapped.proxyAddresses, "SIP:amara.okafor@fabrikam.example"]);
    assert.equal(w.mail, undefined);
    // The swap demoted the original primary, and a changed value is no loss: nothing reported.
    assert.deepEqual(lostValues(captured(), { ...swapped, proxyAddresses: w.proxyAddresses ?? [] }), []);
    assert.deepEqual(lostValues(captured(), { ...swapped, extensionAttributes: {} }), [
      "proxyAddresses lost SIP:amara.okafor@fabrikam.example",
      'extensionAttribute1 lost (was "FIN")',
      'extensionAttribute2 lost (was "CC-4410")',
      'extensionAttribute15 lost (was "x")',
    ]);
  });

  it("a lost primary comes back as a secondary when another address is primary now", () => {
    const now = { ...captured(), proxyAddresses: ["SMTP:amara.okafor@contoso.example"] };
    const w = thirdPartyConversion(captured(), now, ROUTING);
    assert.deepEqual(w.proxyAddresses?.slice(0, 2), [
      "SMTP:amara.okafor@contoso.example",
      "smtp:amara.okafor@fabrikam.example",
    ]);
  });
});
