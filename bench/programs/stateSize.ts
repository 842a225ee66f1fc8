// The program bench/stateSize.ts deploys: N resources of one shape, with the provider text in
// state as this version writes it or as the closure shim earlier versions wrote.
//   bench:shape: "noop" (a kernel provider doing nothing) | "user" (ReachBackUser's state shape)
//   bench:count, bench:legacy (the earlier closure shim), bench:mappingEntries (user shape)
import * as pulumi from "@pulumi/pulumi";
import { declaredLive } from "../../lib/reachBack/userState";
import { DynamicResource } from "../../providers/kernel";
import { runtimeProvider } from "../../providers/runtimeProvider";

const bench = new pulumi.Config("bench");
const shape = bench.require("shape");
const count = bench.requireNumber("count");
const legacy = bench.getBoolean("legacy") ?? false;
const moduleId =
  shape === "noop" ? "dist/bench/programs/noopProvider" : "dist/bench/programs/userShapeProvider";
const type = shape === "noop" ? "BenchNoop" : "ReachBackUser";

/** Registered as the kernel registers (providers/kernel.ts), or as pulumi.dynamic.Resource did. */
class Registered extends DynamicResource {
  constructor(name: string, props: Record<string, unknown>) {
    super(type, moduleId, name, props);
  }
}
class Legacy extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, unknown>) {
    super(runtimeProvider(moduleId), name, props, undefined, "entra-coexistence", type);
  }
}

/** A GUID-shaped id, distinct per n and salt. */
const guid = (n: number, salt: number) =>
  `${(n * 7919 + salt).toString(16).padStart(8, "0")}-0000-4000-8000-${salt.toString(16).padStart(12, "0")}`;

const entries = bench.getNumber("mappingEntries") ?? 3;
const mapping = Object.fromEntries(Array.from({ length: entries }, (_, i) => [guid(i, 1), guid(i, 2)]));

for (let i = 0; i < count; i++) {
  const name = `r${i}`;
  let props: Record<string, unknown>;
  if (shape === "noop") props = { index: i };
  else {
    const observed = Object.fromEntries(Object.keys(declaredLive("x@y.z")).map((k) => [k, undefined]));
    props = {
      ...observed,
      step: undefined,
      state: undefined,
      ownership: undefined,
      sourceUserPrincipalName: `user${i}@fabrikam.com`,
      targetEmailAddress: `user${i}.lastname@contoso.com`,
      coexRoutingAddress: `user${i}.lastname@contoso.mail.onmicrosoft.com`,
      licenseGroupMapping: mapping,
      journalStack: pulumi.getStack(),
    };
  }
  if (legacy) new Legacy(name, props);
  else new Registered(name, props);
}
