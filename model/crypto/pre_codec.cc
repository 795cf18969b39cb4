// Canonical encodings of the proxy re-encryption objects (pre.h). All fields
// are fixed-size, so an encoding is canonical once every point is a canonical
// non-identity element and every scalar is reduced.
#include "model/crypto/pre.h"
#include "model/crypto/pre_group.h"

namespace fluence::crypto::pre {
namespace {

Point read_point(codec::Reader& reader, const char* field) {
  ByteView raw = reader.raw(field, kPointBytes);
  if (!reader.ok()) return {};
  Result<Point> point = point_from_bytes(raw);
  if (!point) {
    reader.fail(field, point.status().message());
    return {};
  }
  return *point;
}

// Reads into `scalar` (public or secret), failing the reader unless reduced.
void read_scalar(codec::Reader& reader, const char* field, Out scalar) {
  ByteView raw = reader.raw(field, kScalarBytes);
  if (!reader.ok()) return;
  if (!is_reduced_scalar(raw)) {
    reader.fail(field, "scalar is not reduced modulo the group order");
    return;
  }
  std::copy(raw.begin(), raw.end(), scalar.begin());
}

}  // namespace

void Capsule::encode(codec::Writer& writer) const {
  writer.fixed(e.bytes);
  writer.fixed(v.bytes);
  writer.fixed(s.bytes);
}

Capsule Capsule::decode(codec::Reader& reader) {
  Capsule capsule;
  capsule.e = read_point(reader, "capsule.e");
  capsule.v = read_point(reader, "capsule.v");
  read_scalar(reader, "capsule.s", out(capsule.s));
  return capsule;
}

Bytes ShareAuthorisation::signed_bytes(const Point& delegator, const Point& receiver) const {
  codec::Writer writer;
  writer.string("fluence/pre/kfrag");
  writer.fixed(delegator.bytes);
  writer.fixed(receiver.bytes);
  writer.fixed(id);
  writer.u8(threshold);
  writer.fixed(precursor.bytes);
  writer.fixed(commitment.bytes);
  return writer.finish();
}

bool ShareAuthorisation::signature_valid(const Point& delegator, const Point& receiver,
                                         const PublicKey& signer) const {
  return verify(signer, signed_bytes(delegator, receiver), signature);
}

void ShareAuthorisation::encode(codec::Writer& writer) const {
  writer.fixed(id);
  writer.u8(threshold);
  writer.fixed(precursor.bytes);
  writer.fixed(commitment.bytes);
  writer.fixed(signature.bytes);
}

ShareAuthorisation ShareAuthorisation::decode(codec::Reader& reader) {
  ShareAuthorisation share;
  share.id = reader.fixed<kKeyFragIdBytes>("share.id");
  share.threshold = reader.u8("share.threshold");
  if (reader.ok() && share.threshold == 0) reader.fail("share.threshold", "must be at least 1");
  share.precursor = read_point(reader, "share.precursor");
  share.commitment = read_point(reader, "share.commitment");
  share.signature.bytes = reader.fixed<kSignatureBytes>("share.signature");
  return share;
}

void KeyFrag::encode(codec::Writer& writer) const {
  share.encode(writer);
  writer.raw(rekey.view());
}

KeyFrag KeyFrag::decode(codec::Reader& reader) {
  KeyFrag kfrag;
  kfrag.share = ShareAuthorisation::decode(reader);
  read_scalar(reader, "kfrag.rekey", out(kfrag.rekey));
  return kfrag;
}

void CapsuleFrag::encode(codec::Writer& writer) const {
  writer.fixed(e1.bytes);
  writer.fixed(v1.bytes);
  share.encode(writer);
  writer.fixed(proof.e2.bytes);
  writer.fixed(proof.v2.bytes);
  writer.fixed(proof.u2.bytes);
  writer.fixed(proof.rho.bytes);
}

CapsuleFrag CapsuleFrag::decode(codec::Reader& reader) {
  CapsuleFrag cfrag;
  cfrag.e1 = read_point(reader, "cfrag.e1");
  cfrag.v1 = read_point(reader, "cfrag.v1");
  cfrag.share = ShareAuthorisation::decode(reader);
  cfrag.proof.e2 = read_point(reader, "cfrag.proof.e2");
  cfrag.proof.v2 = read_point(reader, "cfrag.proof.v2");
  cfrag.proof.u2 = read_point(reader, "cfrag.proof.u2");
  read_scalar(reader, "cfrag.proof.rho", out(cfrag.proof.rho));
  return cfrag;
}

}  // namespace fluence::crypto::pre
