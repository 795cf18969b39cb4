// Tendermint over the test world: decisions, equivocation evidence,
// catch-up of a lagger, and refusal of forged certificates.
#include "tests/model/consensus/cluster.h"

namespace fluence::consensus {
namespace {

using namespace testing_support;

TEST(TendermintTest, DecidesHeightsInAHealthyCluster) {
  Cluster c(1, 4, 0);
  c.world.run_for(seconds(10));
  EXPECT_TRUE(c.safe());
  EXPECT_GE(c.min_honest_height(), 10u);
  for (const auto& [h, d] : c.engines[0]->decisions()) EXPECT_TRUE(c.engines[1]->certificate_valid(d)) << h;
}

TEST(TendermintTest, EquivocationIsRecordedAsEvidence) {
  Cluster c(5, 4, 1, /*split=*/false);
  c.world.run_for(seconds(5));
  EXPECT_TRUE(c.safe());
  EXPECT_GE(c.min_honest_height(), 3u);
  bool any = false;
  for (const auto& e : c.engines) {
    if (!e) continue;
    for (const Equivocating& ev : e->evidence()) {
      any = true;
      EXPECT_EQ(ev.first.voter, ev.second.voter);
      EXPECT_NE(ev.first.value, ev.second.value);
      EXPECT_TRUE(ev.first.signature_valid() && ev.second.signature_valid());
    }
  }
  EXPECT_TRUE(any) << "a node that heard both conflicting votes keeps the pair";
}

TEST(TendermintTest, ALaggingNodeCatchesUpThroughDecisions) {
  Cluster c(9, 4, 0);
  c.world.crash(3);
  c.world.run_for(seconds(10));
  uint64_t reached = c.engines[0]->height();
  ASSERT_GE(reached, 5u);
  EXPECT_EQ(c.engines[3]->height(), 1u);
  c.world.restore(3);
  c.world.run_for(seconds(10));
  EXPECT_GE(c.engines[3]->height(), reached);
  EXPECT_TRUE(c.safe());
}

TEST(TendermintTest, ForgedCertificatesAreRefused) {
  Cluster c(11, 4, 0);
  c.world.run_for(seconds(3));
  ASSERT_FALSE(c.engines[0]->decisions().empty());
  Decision d = c.engines[0]->decisions().begin()->second;
  EXPECT_TRUE(c.engines[1]->certificate_valid(d));
  Decision short_cert = d;
  short_cert.certificate.resize(c.engines[1]->quorum() - 1);
  EXPECT_FALSE(c.engines[1]->certificate_valid(short_cert));
  Decision other_value = d;
  other_value.value.push_back('!');
  EXPECT_FALSE(c.engines[1]->certificate_valid(other_value));
  Decision doubled = d;
  doubled.certificate.resize(1);
  for (int i = 0; i < 3; ++i) doubled.certificate.push_back(d.certificate[0]);
  EXPECT_FALSE(c.engines[1]->certificate_valid(doubled)) << "one voter counted many times";
}

}  // namespace
}  // namespace fluence::consensus
