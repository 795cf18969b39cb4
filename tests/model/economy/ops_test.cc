#include "model/economy/ops.h"

#include <gtest/gtest.h>

#include <random>

namespace fluence::economy {
namespace {

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  secret.data()[1] = 0x0b;
  return crypto::SigningKey::from_seed(secret);
}

SignedContract sample_contract() {
  StorageContract c;
  c.id = key(1).public_key();
  c.client = key(2).public_key();
  c.valid_until_tick = 720;
  c.nodes = {key(3).public_key(), key(4).public_key()};
  c.arbiters = {key(5).public_key()};
  c.replication_factor = 2;
  c.requirements = {1 << 30, 995};
  c.allocation_bytes = 5 * kBytesPerGb;
  c.max_response_time_ms = 250;
  c.price_per_gb_month = 1'000'000;
  c.gas_price = 3;
  c.period_ticks = 720;
  c.sla = {24, 3};
  SignedContract s{c, {}};
  for (uint8_t seed : {2, 3, 4, 5}) s.signatures.push_back(ContractSignature::make(key(seed), c));
  return s;
}

SharingContract sample_share(const crypto::SigningKey& owner) {
  env::DeterministicRandom random(8);
  pre::KeyPair delegator = pre::KeyPair::generate(random);
  pre::KeyPair receiver = pre::KeyPair::generate(random);
  ShareTerms terms{key(7).public_key(), key(1).public_key(), key(9).public_key(), receiver.public_key(), 1, 100};
  return *make_sharing_contract(owner, delegator, terms, {key(3).public_key(), key(4).public_key()}, random);
}

std::vector<EconomyOp> every_op() {
  ChainId chain{};
  chain.fill(3);
  const crypto::SigningKey a = key(2), b = key(9);
  const crypto::PublicKey contract = key(1).public_key();
  return {
      {Mint{crypto::Hash256{9, 9}, b.public_key(), 77}},
      {Transfer::make(a, chain, b.public_key(), 5, 1)},
      {Burn::make(b, chain, 6, Bytes(20, 0xab), 2)},
      {OpenContract::make(a, chain, sample_contract(), 1'000, 3)},
      {Deposit::make(b, chain, contract, 8, 4)},
      {Terminate::make(a, chain, contract, 5)},
      {ChargeOperation::make(a, chain, contract, OperationKind::kWrite, 4096, 12, 6)},
      {OpenShare::make(a, chain, sample_share(a), 7)},
      {FundShare::make(b, chain, key(7).public_key(), 900, 8)},
      {ChargeShareRead::make(b, chain, key(7).public_key(), 2048, 3, 9)},
      {RevokeShare::make(a, chain, key(7).public_key(), 10)},
  };
}

TEST(EconomyOpCodec, EveryOpRoundTrips) {
  std::vector<EconomyOp> ops = every_op();
  ASSERT_EQ(ops.size(), std::variant_size_v<decltype(EconomyOp::body)>);
  for (size_t i = 0; i < ops.size(); ++i) {
    ASSERT_EQ(ops[i].body.index(), i);
    Bytes bytes = codec::encode(ops[i]);
    EXPECT_EQ(bytes[0], i) << ops[i].name();
    Result<EconomyOp> back = codec::decode<EconomyOp>(bytes);
    ASSERT_TRUE(back.is_ok()) << ops[i].name() << ": " << back.status().to_string();
    EXPECT_EQ(*back, ops[i]) << ops[i].name();
  }
  SignedContract c = sample_contract();
  Result<SignedContract> back = codec::decode<SignedContract>(codec::encode(c));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, c);
  EXPECT_TRUE(back->check_fully_signed().is_ok());
}

TEST(EconomyOpCodec, TruncatedOrExtendedBytesAreErrors) {
  for (const EconomyOp& op : every_op()) {
    Bytes bytes = codec::encode(op);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      Result<EconomyOp> r = codec::decode<EconomyOp>(ByteView(bytes).first(cut));
      ASSERT_FALSE(r.is_ok()) << op.name() << " cut at " << cut;
      EXPECT_FALSE(r.status().message().empty());
    }
    bytes.push_back(0);
    EXPECT_EQ(codec::decode<EconomyOp>(bytes).status().code(), ErrorCode::kMalformed) << op.name();
  }
}

TEST(EconomyOpCodec, OutOfRangeFieldsAreNamed) {
  Bytes bad_tag = codec::encode(every_op()[0]);
  bad_tag[0] = std::variant_size_v<decltype(EconomyOp::body)>;
  EXPECT_NE(codec::decode<EconomyOp>(bad_tag).status().message().find("economy_op.kind"), std::string::npos);

  EconomyOp charge = every_op()[6];
  Bytes bad_kind = codec::encode(charge);
  bad_kind[1 + crypto::kPublicKeyBytes] = 2;
  EXPECT_NE(codec::decode<EconomyOp>(bad_kind).status().message().find("charge_operation.kind"), std::string::npos);

  std::get<ChargeOperation>(charge.body).bytes = kMaxOperationBytes + 1;
  EXPECT_NE(codec::decode<EconomyOp>(codec::encode(charge)).status().message().find("charge_operation.bytes"),
            std::string::npos);

  EconomyOp burn = every_op()[2];
  std::get<Burn>(burn.body).destination = Bytes(kMaxDestinationBytes + 1, 1);
  EXPECT_NE(codec::decode<EconomyOp>(codec::encode(burn)).status().message().find("burn.destination"),
            std::string::npos);

  EconomyOp share_read = every_op()[9];
  std::get<ChargeShareRead>(share_read.body).rows_touched = kMaxOperationRows + 1;
  EXPECT_NE(codec::decode<EconomyOp>(codec::encode(share_read)).status().message().find("charge_share_read.rows_touched"),
            std::string::npos);

  SignedContract c = sample_contract();
  c.contract.requirements.min_uptime_per_mille = 1001;
  EXPECT_NE(codec::decode<SignedContract>(codec::encode(c)).status().message().find("min_uptime_per_mille"),
            std::string::npos);
  c = sample_contract();
  for (int i = 0; i < 70; ++i) c.contract.nodes.push_back(key(static_cast<uint8_t>(100 + i)).public_key());
  EXPECT_NE(codec::decode<SignedContract>(codec::encode(c)).status().message().find("contract.nodes"),
            std::string::npos);
}

TEST(EconomyOpCodec, GarbageNeverDecodesToSomethingElse) {
  std::mt19937_64 rng(20240611);
  std::vector<Bytes> valid;
  for (const EconomyOp& op : every_op()) valid.push_back(codec::encode(op));
  size_t decoded = 0;
  for (int i = 0; i < 20'000; ++i) {
    Bytes input;
    if (i % 2 == 0) {
      input.resize(rng() % 300);
      for (auto& b : input) b = static_cast<uint8_t>(rng());
    } else {  // a valid encoding with a few bytes flipped
      input = valid[rng() % valid.size()];
      for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
        input[rng() % input.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      }
    }
    Result<EconomyOp> op = codec::decode<EconomyOp>(input);
    if (op) {
      ++decoded;
      EXPECT_EQ(codec::encode(*op), input);  // canonical: only its own encoding decodes
    } else {
      EXPECT_FALSE(op.status().message().empty());
    }
    Result<SignedContract> contract = codec::decode<SignedContract>(input);
    if (contract) {
      EXPECT_EQ(codec::encode(*contract), input);
    }
  }
  EXPECT_GT(decoded, 0u);  // flipping a signature or amount byte still decodes
}

}  // namespace
}  // namespace fluence::economy
