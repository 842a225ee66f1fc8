// A test program: partner entries declared straight from the stack configuration, so that a test
// can rename them, alias them or declare one twice, which the product's own program never does.
//   entra-coexistence-test:partners: [{ name, tenant, partnerTenantId, aliases?: [name] }]
import * as pulumi from "@pulumi/pulumi";
import { CrossTenantAccessPartner } from "../../../providers/crossTenantAccessPartner";

interface Declared {
  name: string;
  tenant: "source" | "target";
  partnerTenantId: string;
  aliases?: string[];
}

const partners = new pulumi.Config("entra-coexistence-test").requireObject<Declared[]>("partners");
for (const p of partners) {
  new CrossTenantAccessPartner(
    p.name,
    {
      tenant: p.tenant,
      partnerTenantId: p.partnerTenantId,
      settings: {
        b2bCollaborationInbound: {
          usersAndGroups: { accessType: "allowed", targets: [{ target: "AllUsers", targetType: "user" }] },
          applications: {
            accessType: "allowed",
            targets: [{ target: "AllApplications", targetType: "application" }],
          },
        },
        automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
      },
    },
    { aliases: (p.aliases ?? []).map((name) => ({ name })) },
  );
}
