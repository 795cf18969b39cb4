// ClusterChain's reads (cluster_chain.h): the signed answers a member gives
// to a read, an ORE scan or a re-encryption request, and the gathering of
// the other members' answers until enough agree (read.h, reencrypt.h).
#include <algorithm>

#include "model/cluster/cluster_chain.h"

namespace fluence::cluster {

Bytes ClusterChain::answer_read(ByteView row_key) const {
  env_.charge(env::Work::kSign, 1);
  return codec::encode(read_answer(row_key));
}

Bytes ClusterChain::answer_ore_scan(const storage::OreScanQuery& query) const {
  Result<OreScanAnswer> answer = OreScanAnswer::make(key_, dataset_, query);
  if (!answer) return {};  // fails to decode at the asker: this member did not answer
  env_.charge(env::Work::kSign, 1);
  return codec::encode(*answer);
}

template <typename Answer, typename Outcome>
void ClusterChain::gather(Answer own, const ClusterMessage& request, size_t signatures,
                          std::function<Result<Outcome>(const std::vector<Answer>&)> agree_on,
                          std::function<void(Result<Outcome>)> done) {
  struct Pending {
    std::vector<Answer> answers;
    size_t waiting = 0;
    bool finished = false;
    std::function<void(Result<Outcome>)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  pending->answers.push_back(std::move(own));
  auto settle = [pending, agree_on = std::move(agree_on)](bool last) {
    if (pending->finished) return;
    Result<Outcome> result = agree_on(pending->answers);
    if (result || last) {
      pending->finished = true;
      pending->done(std::move(result));
    }
  };
  settle(signatures <= 1);
  if (pending->finished) return;
  Bytes body = codec::encode(request);
  for (const consensus::Validator& member : roster().members) {
    if (member.key == key_.public_key()) continue;
    ++pending->waiting;
    rpc_.request(member.address, rpc::Protocol::kCluster, body, config_.consensus.timeout_propose,
                 [this, pending, settle](Result<Bytes> reply, const env::Peer&) {
                   if (reply) {
                     Result<Answer> answer = codec::decode<Answer>(*reply);
                     if (answer) {
                       env_.charge(env::Work::kVerify, 1);
                       pending->answers.push_back(std::move(*answer));
                     }
                   }
                   settle(--pending->waiting == 0);
                 });
  }
  if (pending->waiting == 0) settle(true);  // no one else to ask
}

void ClusterChain::read(Bytes row_key, size_t signatures, std::function<void(Result<ReadResult>)> done) {
  const std::vector<consensus::Validator>& members = roster().members;
  if (signatures < 1 || signatures > members.size()) {
    return done(Status::error(ErrorCode::kInvalidArgument, "signatures: 1 to " + std::to_string(members.size())));
  }
  if (row_key.size() > storage::kMaxRowKeyBytes) return done(Status::error(ErrorCode::kLimitExceeded, "row key too long"));
  std::vector<crypto::PublicKey> keys;
  for (const consensus::Validator& member : members) keys.push_back(member.key);
  ReadAnswer own = read_answer(row_key);
  ClusterMessage request;
  request.type = ClusterMessage::Type::kReadRequest;
  request.dataset = config_.dataset;
  request.row_key = std::move(row_key);
  gather<ReadAnswer, ReadResult>(
      std::move(own), request, signatures,
      [signatures, keys](const std::vector<ReadAnswer>& answers) { return agree(answers, signatures, keys); },
      std::move(done));
}

void ClusterChain::scan_ore(storage::OreScanQuery query, size_t signatures,
                            std::function<void(Result<OreScanResult>)> done) {
  const std::vector<consensus::Validator>& members = roster().members;
  if (signatures < 1 || signatures > members.size()) {
    return done(Status::error(ErrorCode::kInvalidArgument, "signatures: 1 to " + std::to_string(members.size())));
  }
  if (Status valid = storage::validate(query); !valid.is_ok()) return done(valid);
  Result<OreScanAnswer> own = OreScanAnswer::make(key_, dataset_, query);
  if (!own) return done(own.status().with_context("scanning this member's replica"));
  std::vector<crypto::PublicKey> keys;
  for (const consensus::Validator& member : members) keys.push_back(member.key);
  ClusterMessage request;
  request.type = ClusterMessage::Type::kOreScanRequest;
  request.dataset = config_.dataset;
  request.ore_scan = query;
  gather<OreScanAnswer, OreScanResult>(
      std::move(*own), request, signatures,
      [dataset = config_.dataset, query = std::move(query), signatures, keys](const std::vector<OreScanAnswer>& answers) {
        return agree(answers, dataset, query, signatures, keys);
      },
      std::move(done));
}

void ClusterChain::reencrypt(const crypto::PublicKey& share, const crypto::pre::Capsule& capsule,
                             std::function<void(Result<ReencryptResult>)> done,
                             std::function<void(const FragmentTally&)> tallied) {
  const economy::ShareAccount* account = book_.ledger().share(share);
  if (account == nullptr) {
    return done(Status::error(ErrorCode::kNotFound, "share " + economy::short_key(share) + ": not on the ledger"));
  }
  // The receiver's copy of the contract, as the ledger had it when it asked:
  // the holders and their authorisations are fixed at open time.
  economy::SharingContract contract = account->contract;
  const size_t threshold = contract.threshold;
  ClusterMessage request;
  request.type = ClusterMessage::Type::kReencryptRequest;
  request.dataset = config_.dataset;
  request.share = share;
  request.capsule = capsule;
  auto last = std::make_shared<FragmentTally>();
  // gather finishes on its own answer alone when asked for one signature;
  // this member's own answer may be a refusal, so with m = 1 the others
  // must still be asked (a verified own fragment finishes it all the same).
  gather<ReencryptAnswer, ReencryptResult>(
      reencrypt_answer(share, capsule), request, std::max<size_t>(threshold, 2),
      [dataset = config_.dataset, contract = std::move(contract), capsule, last](const std::vector<ReencryptAnswer>& answers) {
        *last = tally_fragments(answers, dataset, contract, capsule);
        return agree(*last);
      },
      [done = std::move(done), tallied = std::move(tallied), last](Result<ReencryptResult> result) {
        if (tallied) tallied(*last);
        done(std::move(result));
      });
}

}  // namespace fluence::cluster
