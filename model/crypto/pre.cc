// Umbral (Nuñez, 2018) on ristretto255; the comments name the paper's algorithms.
#include "model/crypto/pre.h"

#include "model/crypto/hash.h"
#include "model/crypto/pre_group.h"

namespace fluence::crypto::pre {
namespace {

constexpr std::array<uint8_t, kScalarBytes> kOne = {1};

Scalar capsule_challenge(const Point& e, const Point& v) {
  Scalar h;
  hash_to_scalar(out(h), "fluence/pre/capsule", {e.view(), v.view()});
  return h;
}

SymmetricKey derive_key(const Secret<kPointBytes>& shared_point) {
  Hash256 digest = blake2b_256("fluence/pre/key", {shared_point.view()});
  SymmetricKey key{std::span<const uint8_t, kSymmetricKeyBytes>(digest)};
  wipe(digest.data(), digest.size());
  return key;
}

// d = h(X_A, B, x_A·B): both the delegator (through x_A) and the receiver
// (through b) know it, a proxy does not; it blinds the shared re-key a·d⁻¹.
void blinding_scalar(Out d, const Point& precursor, const Point& receiver,
                     const Secret<kPointBytes>& dh) {
  hash_to_scalar(d, "fluence/pre/blinding", {precursor.view(), receiver.view(), dh.view()});
}

// x_i, where the polynomial is evaluated for share i. Hidden from proxies by
// the DH value, so that proxies alone cannot interpolate their shares.
void share_index(Out x, const Point& delegator, const Point& receiver, const Point& precursor,
                 const Secret<kPointBytes>& dh, const KeyFragId& id) {
  hash_to_scalar(x, "fluence/pre/share-index",
                 {delegator.view(), receiver.view(), precursor.view(), dh.view(), id});
}

Scalar proof_challenge(const Capsule& capsule, const CapsuleFrag& cfrag, const Point& u) {
  const ReencryptionProof& p = cfrag.proof;
  const ShareAuthorisation& share = cfrag.share;
  uint8_t threshold = share.threshold;
  Scalar c;
  hash_to_scalar(out(c), "fluence/pre/reencryption-proof",
                 {capsule.e.view(), cfrag.e1.view(), p.e2.view(), capsule.v.view(), cfrag.v1.view(),
                  p.v2.view(), u.view(), share.commitment.view(), p.u2.view(), share.id,
                  ByteView(&threshold, 1), share.precursor.view()});
  return c;
}

// ρ·X == X2 + c·X1, the Chaum-Pedersen check for one base.
bool proof_holds(Group& group, const Scalar& rho, const Scalar& c, const Point& x, const Point& x1,
                 const Point& x2, const char* what) {
  Point rho_x, c_x1, expected;
  group.mul(out(rho_x), rho.bytes, x.bytes, what);
  group.mul(out(c_x1), c.bytes, x1.bytes, what);
  group.add(out(expected), x2.bytes, c_x1.bytes, what);
  return group.ok() && rho_x == expected;
}

}  // namespace

KeyPair KeyPair::from_seed(const Secret<32>& seed) {
  KeyPair pair;
  hash_to_scalar(out(pair.secret_scalar_), "fluence/pre/secret-key", {seed.view()});
  Group group;
  group.mul_base(out(pair.public_key_), pair.secret_scalar_.view(), "A = a·G");
  FL_ASSERT(group.ok());  // a is non-zero, so A is not the identity
  return pair;
}

KeyPair KeyPair::generate(env::Random& random) {
  Secret<32> seed;
  random.fill(std::span<uint8_t>(seed.data(), seed.size()));
  return from_seed(seed);
}

KeyPair KeyPair::clone() const {
  KeyPair pair;
  pair.secret_scalar_ = secret_scalar_.clone();
  pair.public_key_ = public_key_;
  return pair;
}

// Umbral's Encapsulate.
Result<Encapsulation> encapsulate(const Point& owner, env::Random& random) {
  Secret<kScalarBytes> r, u, r_h, r_plus_u;
  random_scalar(out(r), random);
  random_scalar(out(u), random);
  Capsule capsule;
  Group group;
  group.mul_base(out(capsule.e), r.view(), "E = r·G");
  group.mul_base(out(capsule.v), u.view(), "V = u·G");
  Scalar h = capsule_challenge(capsule.e, capsule.v);
  scalar_mul(out(r_h), r.view(), h.bytes);
  scalar_add(out(capsule.s), u.view(), r_h.view());
  scalar_add(out(r_plus_u), r.view(), u.view());
  Secret<kPointBytes> shared;
  group.mul(out(shared), r_plus_u.view(), owner.bytes, "(r + u)·A");
  if (!group.ok()) return group.status().with_context("encapsulate");
  return Encapsulation{capsule, derive_key(shared)};
}

Status verify_capsule(const Capsule& capsule) {
  Scalar h = capsule_challenge(capsule.e, capsule.v);
  Point s_g, h_e, expected;
  Group group;
  group.mul_base(out(s_g), capsule.s.bytes, "s·G");
  group.mul(out(h_e), h.bytes, capsule.e.bytes, "h·E");
  group.add(out(expected), capsule.v.bytes, h_e.bytes, "V + h·E");
  if (!group.ok()) return group.status().with_context("capsule");
  if (s_g != expected) {
    return Status::error(ErrorCode::kAuthentication, "capsule: s·G != V + h(E, V)·E");
  }
  return Status::ok();
}

// Umbral's Decapsulate: a·(E + V) = (r + u)·A.
Result<SymmetricKey> decapsulate(const KeyPair& owner, const Capsule& capsule) {
  FL_RETURN_IF_ERROR(verify_capsule(capsule).with_context("decapsulate"));
  Point e_plus_v;
  Secret<kPointBytes> shared;
  Group group;
  group.add(out(e_plus_v), capsule.e.bytes, capsule.v.bytes, "E + V");
  group.mul(out(shared), owner.secret_scalar().view(), e_plus_v.bytes, "a·(E + V)");
  if (!group.ok()) return group.status().with_context("decapsulate");
  return derive_key(shared);
}

// Umbral's ReKeyGen, with an Ed25519 signature in place of the paper's (z1, z2).
Result<std::vector<KeyFrag>> generate_kfrags(const KeyPair& delegator, const Point& receiver,
                                             const SigningKey& signer, size_t threshold,
                                             size_t shares, env::Random& random) {
  if (threshold < 1 || threshold > shares || shares > kMaxShares) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "generate_kfrags: need 1 <= threshold <= shares <= " +
                             std::to_string(kMaxShares) + ", got " + std::to_string(threshold) +
                             " of " + std::to_string(shares));
  }
  Secret<kScalarBytes> precursor_secret;
  random_scalar(out(precursor_secret), random);
  ShareAuthorisation template_share;
  template_share.threshold = static_cast<uint8_t>(threshold);
  Secret<kPointBytes> dh;
  Secret<kScalarBytes> d, d_inverse;
  Group group;
  group.mul_base(out(template_share.precursor), precursor_secret.view(), "X_A = x_A·G");
  group.mul(out(dh), precursor_secret.view(), receiver.bytes, "x_A·B");
  if (!group.ok()) return group.status().with_context("generate_kfrags");
  blinding_scalar(out(d), template_share.precursor, receiver, dh);
  group.invert(out(d_inverse), d.view(), "d⁻¹");
  FL_ASSERT(group.ok());  // d is a hash output, never zero

  // f(x) = a·d⁻¹ + c_1·x + ... + c_{m-1}·x^{m-1}
  std::vector<Secret<kScalarBytes>> coefficients(threshold);
  scalar_mul(out(coefficients[0]), delegator.secret_scalar().view(), d_inverse.view());
  for (size_t i = 1; i < threshold; ++i) random_scalar(out(coefficients[i]), random);

  // Ids are distinct by construction, even from a degenerate random stream.
  std::array<uint8_t, 32> id_nonce;
  random.fill(id_nonce);
  const Point u = second_generator();
  std::vector<KeyFrag> kfrags;
  kfrags.reserve(shares);
  for (size_t i = 0; i < shares; ++i) {
    uint8_t index = static_cast<uint8_t>(i);
    KeyFrag kfrag;
    kfrag.share = template_share;
    kfrag.share.id = blake2b_256("fluence/pre/kfrag-id", {id_nonce, ByteView(&index, 1)});
    Secret<kScalarBytes> x, scaled;
    share_index(out(x), delegator.public_key(), receiver, template_share.precursor, dh,
                kfrag.share.id);
    // Horner's rule, from the highest coefficient down.
    kfrag.rekey = coefficients[threshold - 1].clone();
    for (size_t j = threshold - 1; j-- > 0;) {
      scalar_mul(out(scaled), kfrag.rekey.view(), x.view());
      scalar_add(out(kfrag.rekey), scaled.view(), coefficients[j].view());
    }
    group.mul(out(kfrag.share.commitment), kfrag.rekey.view(), u.bytes, "U1 = rk·U");
    if (!group.ok()) return group.status().with_context("generate_kfrags");
    kfrag.share.signature =
        signer.sign(kfrag.share.signed_bytes(delegator.public_key(), receiver));
    kfrags.push_back(std::move(kfrag));
  }
  return kfrags;
}

Status verify_kfrag(const KeyFrag& kfrag, const Point& delegator, const Point& receiver,
                    const PublicKey& signer) {
  if (!kfrag.share.signature_valid(delegator, receiver, signer)) {
    return Status::error(ErrorCode::kAuthentication,
                         "kfrag: the delegator's signature does not verify");
  }
  Point expected;
  Group group;
  group.mul(out(expected), kfrag.rekey.view(), second_generator().bytes, "rk·U");
  if (!group.ok()) return group.status().with_context("kfrag");
  if (expected != kfrag.share.commitment) {
    return Status::error(ErrorCode::kAuthentication,
                         "kfrag: the re-key share does not match its commitment");
  }
  return Status::ok();
}

// Umbral's ReEncapsulate, with its proof of correct re-encryption.
Result<CapsuleFrag> reencrypt(const KeyFrag& kfrag, const Capsule& capsule, env::Random& random) {
  FL_RETURN_IF_ERROR(verify_capsule(capsule).with_context("reencrypt"));
  const Point u = second_generator();
  CapsuleFrag cfrag;
  cfrag.share = kfrag.share;
  Secret<kScalarBytes> tau, c_rk;
  random_scalar(out(tau), random);
  Group group;
  group.mul(out(cfrag.e1), kfrag.rekey.view(), capsule.e.bytes, "E1 = rk·E");
  group.mul(out(cfrag.v1), kfrag.rekey.view(), capsule.v.bytes, "V1 = rk·V");
  group.mul(out(cfrag.proof.e2), tau.view(), capsule.e.bytes, "E2 = τ·E");
  group.mul(out(cfrag.proof.v2), tau.view(), capsule.v.bytes, "V2 = τ·V");
  group.mul(out(cfrag.proof.u2), tau.view(), u.bytes, "U2 = τ·U");
  if (!group.ok()) return group.status().with_context("reencrypt");
  Scalar c = proof_challenge(capsule, cfrag, u);
  scalar_mul(out(c_rk), c.bytes, kfrag.rekey.view());
  scalar_add(out(cfrag.proof.rho), tau.view(), c_rk.view());
  return cfrag;
}

Result<VerifiedCapsuleFrag> verify_cfrag(const CapsuleFrag& cfrag, const Capsule& capsule,
                                         const Point& delegator, const Point& receiver,
                                         const PublicKey& signer) {
  FL_RETURN_IF_ERROR(verify_capsule(capsule).with_context("cfrag"));
  if (cfrag.share.threshold == 0) {
    return Status::error(ErrorCode::kInvalidArgument, "cfrag: threshold 0");
  }
  if (!cfrag.share.signature_valid(delegator, receiver, signer)) {
    return Status::error(ErrorCode::kAuthentication,
                         "cfrag: the delegator's signature over its kfrag does not verify");
  }
  const Point u = second_generator();
  Scalar c = proof_challenge(capsule, cfrag, u);
  const ReencryptionProof& p = cfrag.proof;
  Group group;
  bool holds = proof_holds(group, p.rho, c, capsule.e, cfrag.e1, p.e2, "ρ·E") &&
               proof_holds(group, p.rho, c, capsule.v, cfrag.v1, p.v2, "ρ·V") &&
               proof_holds(group, p.rho, c, u, cfrag.share.commitment, p.u2, "ρ·U");
  if (!group.ok()) return group.status().with_context("cfrag proof");
  if (!holds) {
    return Status::error(ErrorCode::kAuthentication,
                         "cfrag: the re-encryption proof does not verify");
  }
  return VerifiedCapsuleFrag(cfrag, capsule, delegator, receiver);
}

namespace {

Status check_fragment_set(const Point& receiver, const Point& delegator, const Capsule& capsule,
                          std::span<const VerifiedCapsuleFrag> cfrags) {
  auto fail = [](size_t i, const std::string& problem) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "decrypt_reencrypted: cfrag " + std::to_string(i) + " " + problem);
  };
  if (cfrags.empty()) {
    return Status::error(ErrorCode::kInvalidArgument, "decrypt_reencrypted: no cfrags");
  }
  if (cfrags.size() > kMaxShares) {
    return Status::error(ErrorCode::kLimitExceeded, "decrypt_reencrypted: " +
                                                        std::to_string(cfrags.size()) +
                                                        " cfrags, more than any delegation has");
  }
  const ShareAuthorisation& first = cfrags[0].cfrag().share;
  for (size_t i = 0; i < cfrags.size(); ++i) {
    const VerifiedCapsuleFrag& f = cfrags[i];
    if (f.capsule() != capsule) return fail(i, "was verified for another capsule");
    if (f.delegator() != delegator || f.receiver() != receiver) {
      return fail(i, "was verified for another delegator or receiver");
    }
    const ShareAuthorisation& share = f.cfrag().share;
    if (share.precursor != first.precursor || share.threshold != first.threshold) {
      return fail(i, "comes from another kfrag set (precursor or threshold differs)");
    }
    for (size_t j = 0; j < i; ++j) {
      if (cfrags[j].cfrag().share.id == share.id) {
        return fail(i, "duplicates cfrag " + std::to_string(j));
      }
    }
  }
  if (cfrags.size() < first.threshold) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "decrypt_reencrypted: needs " + std::to_string(first.threshold) +
                             " cfrags, got " + std::to_string(cfrags.size()));
  }
  return Status::ok();
}

}  // namespace

// Umbral's DecapsulateFrags: Σ (d·λ_i)·(E1_i + V1_i) = d·f(0)·(E + V) = a·(E + V).
Result<SymmetricKey> decrypt_reencrypted(const KeyPair& receiver, const Point& delegator,
                                         const Capsule& capsule,
                                         std::span<const VerifiedCapsuleFrag> cfrags) {
  FL_RETURN_IF_ERROR(check_fragment_set(receiver.public_key(), delegator, capsule, cfrags));
  const ShareAuthorisation& first = cfrags[0].cfrag().share;
  const size_t m = first.threshold;
  FL_ASSERT(m >= 1 && m <= cfrags.size());  // verify_cfrag and check_fragment_set saw to it
  Group group;
  Secret<kPointBytes> dh;
  group.mul(out(dh), receiver.secret_scalar().view(), first.precursor.bytes, "b·X_A");
  if (!group.ok()) return group.status().with_context("decrypt_reencrypted");
  Secret<kScalarBytes> d;
  blinding_scalar(out(d), first.precursor, receiver.public_key(), dh);

  std::vector<Secret<kScalarBytes>> xs(m);
  for (size_t i = 0; i < m; ++i) {
    share_index(out(xs[i]), delegator, receiver.public_key(), first.precursor, dh,
                cfrags[i].cfrag().share.id);
  }
  Secret<kPointBytes> sum;
  for (size_t i = 0; i < m; ++i) {
    // Lagrange coefficient at 0: λ_i = Π_{j≠i} x_j / (x_j − x_i).
    Secret<kScalarBytes> numerator{kOne}, denominator{kOne}, difference, product, inverse, lambda;
    for (size_t j = 0; j < m; ++j) {
      if (j == i) continue;
      scalar_mul(out(product), numerator.view(), xs[j].view());
      numerator = std::move(product);
      scalar_sub(out(difference), xs[j].view(), xs[i].view());
      scalar_mul(out(product), denominator.view(), difference.view());
      denominator = std::move(product);
    }
    group.invert(out(inverse), denominator.view(), "Π (x_j − x_i)⁻¹");
    scalar_mul(out(product), numerator.view(), inverse.view());
    scalar_mul(out(lambda), d.view(), product.view());
    const CapsuleFrag& cfrag = cfrags[i].cfrag();
    Point e1_plus_v1;
    Secret<kPointBytes> term, next;
    group.add(out(e1_plus_v1), cfrag.e1.bytes, cfrag.v1.bytes, "E1 + V1");
    group.mul(out(term), lambda.view(), e1_plus_v1.bytes, "d·λ_i·(E1 + V1)");
    if (i == 0) {
      sum = std::move(term);
    } else {
      group.add(out(next), sum.view(), term.view(), "Σ");
      sum = std::move(next);
    }
  }
  if (!group.ok()) return group.status().with_context("decrypt_reencrypted");
  return derive_key(sum);
}

}  // namespace fluence::crypto::pre
