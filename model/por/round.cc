#include "model/por/round.h"

namespace fluence::por {

struct Arbiter::Round {
  PorChallenge challenge;
  ChallengeDerivation derived;
  std::vector<Member> members;
  std::vector<std::optional<PorResponse>> responses;
  std::vector<Fault> faults;
  size_t waiting = 0;
  std::function<void(std::vector<PorVerdict>)> done;
};

Arbiter::Arbiter(env::Env& env, rpc::Rpc& rpc, const crypto::SigningKey& key, RoundConfig config)
    : env_(env), rpc_(rpc), key_(key), config_(config) {
  FL_ASSERT(config_.openings <= config_.chunks);
}

Arbiter::~Arbiter() { *alive_ = false; }

void Arbiter::run_round(const storage::DatasetId& dataset, uint64_t tick, const crypto::Hash256& root,
                        uint64_t entries, const std::vector<Member>& members,
                        std::function<void(std::vector<PorVerdict>)> done) {
  auto round = std::make_shared<Round>();
  round->challenge = PorChallenge::make(key_, dataset, tick, root, entries, config_.chunks, config_.openings);
  round->derived = round->challenge.derive();
  round->members = members;
  round->responses.resize(members.size());
  round->faults.assign(members.size(), Fault::kLate);
  round->waiting = members.size();
  round->done = std::move(done);
  if (members.empty()) return finish(round);
  env_.charge(env::Work::kSign, 1);
  Bytes request = codec::encode(round->challenge);
  for (size_t i = 0; i < members.size(); ++i) {
    rpc_.request(members[i].address, rpc::Protocol::kPor, request, config_.max_response_time,
                 [this, alive = alive_, round, i](Result<Bytes> body, const env::Peer&) {
                   if (!*alive) return;
                   if (body) {
                     Result<PorResponse> response = codec::decode<PorResponse>(*body);
                     if (!response) {
                       round->faults[i] = Fault::kMalformed;
                     } else if (response->node_key != round->members[i].key) {
                       round->faults[i] = Fault::kWrongChallenge;
                     } else {
                       env_.charge(env::Work::kVerify, 1 + response->openings.size());
                       round->faults[i] = check_response(round->challenge, round->derived, *response);
                       round->responses[i] = std::move(*response);
                     }
                   }  // no body: timed out, the fault stays kLate
                   if (--round->waiting == 0) finish(round);
                 });
  }
}

void Arbiter::finish(const std::shared_ptr<Round>& round) {
  // Compare salted hashes among the responses that passed alone.
  std::vector<PorResponse> sound;
  std::vector<size_t> who;
  for (size_t i = 0; i < round->members.size(); ++i) {
    if (round->faults[i] == Fault::kNone) {
      sound.push_back(*round->responses[i]);
      who.push_back(i);
    }
  }
  // A lone answer has nothing to disagree with; openings alone judge it.
  if (sound.size() >= 2) {
    std::vector<bool> disagree = disagreements(round->challenge, sound);
    for (size_t j = 0; j < sound.size(); ++j) {
      if (disagree[j]) round->faults[who[j]] = Fault::kDisagrees;
    }
  }
  std::vector<PorVerdict> verdicts;
  for (size_t i = 0; i < round->members.size(); ++i) {
    verdicts.push_back(PorVerdict::make(key_, round->challenge, round->members[i].key, round->faults[i]));
  }
  env_.charge(env::Work::kSign, verdicts.size());
  round->done(std::move(verdicts));
}

Prover::Prover(const storage::Dataset& dataset, const crypto::SigningKey& key, rpc::Rpc& rpc, Collusion collusion)
    : dataset_(dataset), key_(key), rpc_(&rpc), collusion_(std::move(collusion)) {
  FL_ASSERT(!collusion_->accomplice.empty());
  FL_ASSERT(collusion_->fetch_timeout > env::Duration(0));
}

Prover::~Prover() { *alive_ = false; }

std::optional<Bytes> Prover::on_message(const env::Peer& from, rpc::Kind kind, ByteView body) {
  if (kind != rpc::Kind::kRequest) return std::nullopt;
  Result<PorChallenge> challenge = codec::decode<PorChallenge>(body);
  if (!challenge) return answer_fetch(from, body);
  if (challenge->dataset != dataset_.id() || !challenge->check().is_ok()) return std::nullopt;
  ++answered_;
  Proved proved = prove(*challenge, dataset_, key_);
  if (proved.missing == 0 || !collusion_) return codec::encode(proved.response);
  fetch(*challenge, std::move(proved.response));
  return std::nullopt;
}

void Prover::fetch(const PorChallenge& challenge, PorResponse own) {
  FL_ASSERT(rpc_ != nullptr && collusion_);
  rpc::DeferredReply token = rpc_->defer();
  ++fetches_sent_;
  PorFetch request{challenge, key_.public_key()};
  rpc_->request(collusion_->accomplice, rpc::Protocol::kPor, codec::encode(request), collusion_->fetch_timeout,
                [this, alive = alive_, token, own = std::move(own), chunks = challenge.chunks](
                    Result<Bytes> body, const env::Peer&) mutable {
                  if (!*alive) return;
                  PorResponse answer = std::move(own);
                  Result<PorResponse> theirs = body ? codec::decode<PorResponse>(*body) : Result<PorResponse>(body.status());
                  // The accomplice's hashes are the honest ones; its openings
                  // are this node's, since the fetch named this node's key.
                  if (theirs && theirs->challenge_digest == answer.challenge_digest &&
                      theirs->salted_hashes.size() == chunks) {
                    ++fetches_answered_;
                    answer = std::move(*theirs);
                    answer.node_key = key_.public_key();
                    answer.signature = key_.sign(answer.signed_bytes());
                  }
                  rpc_->reply(token, codec::encode(answer));
                });
}

std::optional<Bytes> Prover::answer_fetch(const env::Peer& from, ByteView body) {
  // Only the accomplice is helped: an honest prover never answers for another.
  if (!collusion_ || from.address != collusion_->accomplice) return std::nullopt;
  Result<PorFetch> fetch = codec::decode<PorFetch>(body);
  if (!fetch || fetch->challenge.dataset != dataset_.id() || !fetch->challenge.check().is_ok()) return std::nullopt;
  ++fetches_served_;
  return codec::encode(prove_for(fetch->challenge, dataset_, fetch->for_node).response);
}

}  // namespace fluence::por
