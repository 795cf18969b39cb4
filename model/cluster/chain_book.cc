#include "model/cluster/chain_book.h"

#include <algorithm>

namespace fluence::cluster {

namespace {

class NoGateway final : public economy::Gateway {
 public:
  bool confirms(const economy::Mint&) const override { return false; }
};
const NoGateway kNoGateway;

}  // namespace

economy::ChainId ledger_chain_id(const storage::DatasetId& dataset) {
  economy::ChainId id;
  std::copy(dataset.begin(), dataset.end(), id.begin());
  return id;
}

const economy::Gateway& no_gateway() { return kNoGateway; }

ChainBook::ChainBook(const economy::Gateway* gateway, const storage::DatasetId& dataset, Roster genesis,
                     uint64_t settle_ticks)
    : verdicts_(settle_ticks), membership_(std::move(genesis)) {
  if (gateway != nullptr) ledger_.emplace(*gateway, ledger_chain_id(dataset));
}

const economy::Ledger& ChainBook::ledger() const {
  FL_ASSERT(ledger_.has_value());
  return *ledger_;
}

bool ChainBook::apply(const chain::BlockHeader& header, const std::vector<chain::Transaction>& transactions) {
  for (const chain::Transaction& t : transactions) {
    if (const auto* op = std::get_if<economy::EconomyOp>(&t.body)) {
      if (ledger_ && !ledger_->apply(*op, header.tick).is_ok()) return false;
    } else if (const auto* verdict = std::get_if<por::PorVerdict>(&t.body)) {
      verdicts_.add(*verdict, header.tick);
    } else if (const auto* vote = std::get_if<chain::EjectionVote>(&t.body)) {
      membership_.add(*vote, header.height);
    } else if (const auto* evidence = std::get_if<chain::VoteEquivocation>(&t.body)) {
      convicted_.insert(evidence->first.voter);
    } else if (const auto* signatures = std::get_if<chain::Equivocation>(&t.body)) {
      convicted_.insert(signatures->signer);
    }
  }
  std::vector<ProofSettlement> settled = verdicts_.settle(header.tick, roster().arbiter_keys(), roster().arbiter_quorum());
  if (!ledger_) return true;
  for (const ProofSettlement& s : settled) {
    // Every active contract the member serves counts the outcome; one
    // outside its current period is not the contract's to pay.
    std::vector<crypto::PublicKey> contracts;
    for (const auto& [id, account] : ledger_->contracts()) {
      const std::vector<crypto::PublicKey>& nodes = account.contract.nodes;
      if (account.active() && std::find(nodes.begin(), nodes.end(), s.member) != nodes.end()) contracts.push_back(id);
    }
    for (const crypto::PublicKey& id : contracts) (void)ledger_->record_tick(id, s.tick, s.member, s.outcome);
  }
  // Periods that ended by this tick are paid (or forfeited) now, the ledger
  // dropping SLA breakers from the contract; a period with a tick still
  // unsettled waits for it (at most the settlement allowance).
  std::optional<uint64_t> open = verdicts_.oldest_open_tick();
  ledger_->close_periods(open ? std::min(header.tick, *open) : header.tick);
  return true;
}

Result<Roster> ChainBook::capture_roster(const CaptureCertificate& certificate, const chain::BlockHeader& last_applied,
                                         const storage::DatasetId& dataset) const {
  FL_RETURN_IF_ERROR(verify_certificate(certificate, dataset, roster()));
  if (certificate.height() != last_applied.height || certificate.header_hash() != last_applied.hash()) {
    return Status::error(ErrorCode::kInvalidArgument, "capture certificate: about block " +
                                                          std::to_string(certificate.height()) + ", not the last one applied (" +
                                                          std::to_string(last_applied.height) + ")");
  }
  std::optional<Roster> next = replacement_roster(roster(), dataset, certificate.height());
  if (!next) return Status::error(ErrorCode::kInvalidArgument, "capture certificate: no more arbiters than members to replace them");
  return *next;
}

Status ChainBook::adopt_capture(const CaptureCertificate& certificate, const chain::BlockHeader& last_applied,
                               const storage::DatasetId& dataset) {
  Result<Roster> next = capture_roster(certificate, last_applied, dataset);
  if (!next) return next.status();
  replace_cluster(certificate.height(), *next);
  return Status::ok();
}

std::vector<EjectionGround> ChainBook::grounds(const EjectionRules& rules) const {
  std::vector<EjectionGround> out;
  for (const consensus::Validator& member : roster().members) {
    ProofRecord record = verdicts_.record(member.key);
    if (convicted_.count(member.key) != 0) {
      out.push_back({member.key, chain::EjectionVote::Reason::kEquivocation});
    } else if (record.failed_run >= rules.failed_ticks) {
      out.push_back({member.key, chain::EjectionVote::Reason::kFailedProofs});
    } else if (record.offline_run >= rules.offline_ticks) {
      out.push_back({member.key, chain::EjectionVote::Reason::kOffline});
    }
  }
  return out;
}

}  // namespace fluence::cluster
