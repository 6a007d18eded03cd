/**
 * `/openapi/v2` of the Kubernetes test server: a Swagger 2.0 document with no definitions, in
 * the gnostic protobuf encoding kubectl asks for (`application/com.github.proto-openapi.spec.v2@
 * v1.0+protobuf`; JSON would break it, kubectl-requests.md §3.1) or as JSON.
 *
 * Why serve an empty one rather than 404: kubectl falls back to v2 only when v3 cannot answer,
 * and then it validates client-side leniently — a kind v2 does not describe passes. That is what
 * makes `kubectl apply -f` of a CRD and a custom resource in one file fail, on a cold discovery
 * cache, with kubectl's usual "ensure CRDs are installed first" as against a real apiserver
 * (§4), instead of "failed to download openapi". Everything kubectl validates or patches
 * through the schema comes from v3 (openapi.ts).
 */
import type { HarnessResponse } from "./discovery.js";
import { parseAccept } from "./media-types.js";

/** What kubectl's Accept names; '@' is not valid in a Content-Type Go can parse, so the answer uses a dot. */
const PROTOBUF_ACCEPT = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
const PROTOBUF_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited protobuf field. */
function field(num: number, value: Buffer): Buffer {
  return Buffer.concat([varint((num << 3) | 2), varint(value.length), value]);
}

/** gnostic openapi_v2.Document: 1 swagger, 2 info {1 title, 2 version}, 8 paths, 9 definitions. */
function protobufDocument(version: string): Buffer {
  const info = Buffer.concat([field(1, Buffer.from("Kubernetes")), field(2, Buffer.from(version))]);
  return Buffer.concat([field(1, Buffer.from("2.0")), field(2, info), field(8, Buffer.alloc(0)), field(9, Buffer.alloc(0))]);
}

/** Answers `/openapi/v2` in the format the Accept header asks for first (protobuf or JSON). */
export function openapiV2Response(accept: string | undefined, version: string): HarnessResponse {
  const first = parseAccept(accept)[0]?.type;
  const wantsProtobuf = first === PROTOBUF_ACCEPT || first === PROTOBUF_TYPE;
  if (wantsProtobuf) return { status: 200, contentType: PROTOBUF_TYPE, body: protobufDocument(version) };
  return { status: 200, contentType: "application/json", body: { swagger: "2.0", info: { title: "Kubernetes", version }, paths: {}, definitions: {} } };
}
