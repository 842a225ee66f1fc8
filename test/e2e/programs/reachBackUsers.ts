// A test program: ReachBackUser resources declared straight from the stack configuration, so that
// a test can enable, change and let go of users one by one.
//   entra-coexistence-test:users: [{ name, sourceUserPrincipalName, targetEmailAddress,
//     coexRoutingAddress, licenseGroupMapping?, rollbackOnDelete? }]
import * as pulumi from "@pulumi/pulumi";
import { ReachBackUser, type ReachBackUserArgs } from "../../../providers/reachBackUser";

type Declared = ReachBackUserArgs & { name: string };

const users = new pulumi.Config("entra-coexistence-test").requireObject<Declared[]>("users");
export const enabled: Record<string, pulumi.Output<unknown>> = {};
for (const { name, ...args } of users) {
  const u = new ReachBackUser(name, args);
  enabled[name] = pulumi.all([u.step, u.state]).apply(([step, state]) => ({ step, state }));
}
