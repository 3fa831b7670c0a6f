/**
 * A stand-in resource provider plugin for the real engine: it speaks the provider protocol for a
 * package (`openstack`, `kubernetes`, `aws`, `vault`, `rancher2`) whose real plugin cannot be built
 * or downloaded on our machines, and answers with the plan mocks' clearly fake values. The provider
 * itself is the product's (fleet/local/stand-in-provider.ts, also behind `xcluster … --local`); this
 * entry point adds the preview mode of the tests.
 *
 * What it is for: a real `pulumi preview` of a whole cluster program with the policy pack loaded by the
 * engine, so that the rules see resource properties exactly as the engine hands them over (unknowns,
 * secrets, provider references). What it is not: a provider. It validates nothing and creates nothing
 * (though its `diff` asks for a replacement where the real provider would, see replacements.ts);
 * `create` only invents IDs, so that a test `up` can run (test/engine/day2.spec.ts does).
 *
 * Previews: by default the stand-in does not take part in previews (the engine then keeps the inputs,
 * unknowns included, as the preview's state). In the `unknowns` mode (`XCLUSTER_STAND_IN_PREVIEW=unknowns`,
 * OpenStack only) it answers a preview's `Create` as the real pulumi-resource-openstack 3.15.2 does: no ID,
 * the inputs without the values that are unknown, and nothing of what the provider computes, as read from
 * the real provider's schema (test/support/openstack-schema.ts `previewState`). Stack policies then see
 * exactly what they see with the real provider.
 *
 * Run by the wrapper scripts `standInPlugins()` writes: `node -r ts-node/register/transpile-only
 * provider.ts <package> <version> <engine address>`.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { standInProvider, typeAndName } from "../../../fleet/local/stand-in-provider";
import { loadOpenStackSchema, previewState, resourceSpec } from "../../support/openstack-schema";

const [pkg, version, ...engineArgs] = process.argv.slice(2);
if (pkg === undefined || version === undefined) {
  process.stderr.write("usage: provider.ts <package> <version> [engine address]\n");
  process.exit(2);
}

const provider = standInProvider(version);

/** The preview modes `standInPlugins` can ask for. */
export const PREVIEW_MODE_VAR = "XCLUSTER_STAND_IN_PREVIEW";

interface GrpcCall<Req> {
  readonly request: Req;
}
type Callback = (err: unknown, resp?: unknown) => void;
interface CreateRequest {
  getUrn(): string;
  getPreview(): boolean;
  getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
}
interface ServiceImpl {
  configure(call: unknown, callback: Callback): void;
  create(call: GrpcCall<CreateRequest>, callback: Callback): Promise<void> | void;
}

/**
 * Previews the way the real OpenStack provider does. The SDK's provider server has no hook for it (it
 * never says it supports previews, and its `create` does not see the preview flag), so its service is
 * wrapped where it is registered with gRPC.
 */
function previewLikeTheRealProvider(): void {
  const found = loadOpenStackSchema();
  if (!("schema" in found))
    throw new Error(`${PREVIEW_MODE_VAR}=unknowns needs the provider schema: ${found.missing}`);
  const schema = found.schema;
  const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const from = (m: string): string => require.resolve(m, { paths: [sdk] });
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grpc = require(from("@grpc/grpc-js")) as {
    Server: { prototype: { addService(service: unknown, impl: ServiceImpl): void } };
  };
  const { CreateResponse } = require(from("@pulumi/pulumi/proto/provider_pb")) as {
    CreateResponse: new () => { setId(id: string): void; setProperties(p: unknown): void };
  };
  const { Struct } = require(from("google-protobuf/google/protobuf/struct_pb")) as {
    Struct: { fromJavaScript(o: Record<string, unknown>): unknown };
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service, impl) {
    const wrapped: ServiceImpl = Object.create(impl) as ServiceImpl;
    wrapped.configure = (call, callback) =>
      impl.configure.call(wrapped, call, (err, resp) => {
        // pulumi-terraform-bridge v3.79.0 pkg/tfbridge/provider.go:706-708: `SupportsPreview: true`.
        (resp as { setSupportspreview?(v: boolean): void } | undefined)?.setSupportspreview?.(true);
        callback(err, resp);
      });
    wrapped.create = (call, callback) => {
      if (!call.request.getPreview()) return impl.create.call(wrapped, call, callback);
      try {
        const [type] = typeAndName(call.request.getUrn());
        const spec = resourceSpec(schema, type);
        const state = previewState(type, call.request.getProperties()?.toJavaScript() ?? {});
        // Only what the real provider has; what it computes stays out (unknown to the program).
        const known = Object.fromEntries(Object.entries(state).filter(([k]) => k in spec.properties));
        const resp = new CreateResponse();
        resp.setId("");
        resp.setProperties(Struct.fromJavaScript(known));
        callback(null, resp);
      } catch (e) {
        callback(e);
      }
    };
    addService.call(this, service, wrapped);
  };
}

if (process.env[PREVIEW_MODE_VAR] === "unknowns" && pkg === "openstack") previewLikeTheRealProvider();
void pulumi.provider.main(provider, engineArgs);
