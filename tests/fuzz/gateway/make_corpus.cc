// Writes valid inputs for one of the gateway's fuzz targets into a folder, as
// its seed corpus: what drivers send (tests/fuzz/make_corpus.cc does the same
// for model/). Every seed is checked to decode, so a format change that
// makes one stale fails here rather than leaving the fuzzer to start from
// garbage. Usage: make_corpus TARGET DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/gateway/commands.h"
#include "runtime/gateway/gateway_config.h"

using namespace fluence;
using namespace fluence::gateway;

namespace {

Document J(const std::string& json) { return Document::from_json(json); }

void write(const std::string& dir, size_t n, ByteView bytes) {
  std::ofstream(dir + "/seed" + std::to_string(n), std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_documents(const std::string& dir, const std::vector<std::string>& json) {
  for (size_t i = 0; i < json.size(); ++i) write(dir, i, J(json[i]).bytes());
}

// OP_QUERY, which drivers use for a connection's first hello.
Bytes op_query(int32_t request_id, const std::string& collection, const Document& query) {
  Bytes out;
  auto put = [&](uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  };
  put(0);
  put(static_cast<uint32_t>(request_id));
  put(0);
  put(wire::kOpQuery);
  put(0);  // flags
  out.insert(out.end(), collection.begin(), collection.end());
  out.push_back(0);
  put(0);                          // numberToSkip
  put(static_cast<uint32_t>(-1));  // numberToReturn
  out.insert(out.end(), query.bytes().begin(), query.bytes().end());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(out.size() >> (8 * i));
  return out;
}

std::vector<Bytes> wire_messages() {
  return {
      wire::serialize_op_msg(1, 0, J(R"({"hello": 1, "helloOk": true, "$db": "admin"})")),
      wire::serialize_op_msg(2, 0, J(R"({"insert": "c", "$db": "d"})"), 0,
                             {{"documents", {J(R"({"_id": 10, "n": 5, "a": {"b": [1, 2, {"c": "x"}]}})"),
                                             J(R"({"n": 7.5, "s": "t"})")}}}),
      wire::serialize_op_msg(3, 0, J(R"({"find": "c", "filter": {"n": {"$gt": 1}}, "sort": {"n": -1}, "batchSize": 1,
                                         "$db": "d"})"),
                             wire::kChecksumPresent),
      wire::serialize_op_msg(4, 0, J(R"({"update": "c", "$db": "d"})"), 0,
                             {{"updates", {J(R"({"q": {"n": {"$lte": 9}}, "u": {"$inc": {"n": 1}}, "multi": true})")}}}),
      wire::serialize_op_msg(5, 0, J(R"({"delete": "c", "$db": "d"})"), wire::kMoreToCome,
                             {{"deletes", {J(R"({"q": {"s": "t"}, "limit": 1})")}}}),
      op_query(6, "admin.$cmd", J(R"({"isMaster": 1, "client": {"driver": {"name": "seed"}}})")),
      op_query(7, "admin.$cmd", J(R"({"$query": {"hello": 1}, "$readPreference": {"mode": "primary"}})")),
  };
}

std::vector<std::string> commands() {
  return {
      R"({"hello": 1, "$db": "admin"})",
      R"({"buildInfo": 1, "$db": "admin"})",
      R"({"insert": "c", "documents": [{"_id": 20, "n": 1}, {"a": {"b": [1, 2]}}], "ordered": false, "$db": "d"})",
      R"({"find": "c", "filter": {"a.b": {"$in": [2, "x"]}}, "projection": {"a": 1}, "sort": {"n": 1}, "skip": 1,
          "limit": 5, "batchSize": 1, "$db": "d"})",
      R"({"update": "c", "updates": [{"q": {"_id": 30}, "u": {"$set": {"x.y": 1}}, "upsert": true},
          {"q": {}, "u": {"$unset": {"s": ""}}, "multi": true}], "$db": "d"})",
      R"({"delete": "c", "deletes": [{"q": {"n": {"$exists": true}}, "limit": 0}], "$db": "d"})",
      R"({"count": "c", "query": {"s": {"$ne": null}}, "skip": 1, "limit": -2, "$db": "d"})",
      R"({"aggregate": "c", "pipeline": [{"$match": {"n": {"$gte": 0}}}, {"$group": {"_id": "$s", "t": {"$sum": "$n"}}}],
          "cursor": {"batchSize": 1}, "$db": "d"})",
      R"({"createIndexes": "c", "indexes": [{"key": {"n": "ore"}, "name": "n_ore"}, {"key": {"s": 1}, "name": "s_1"}],
          "$db": "d"})",
      R"({"listIndexes": "c", "cursor": {}, "$db": "d"})",
      R"({"listCollections": 1, "filter": {"name": "c"}, "nameOnly": true, "$db": "d"})",
      R"({"create": "e", "$db": "d"})",
      R"({"drop": "c", "$db": "d"})",
      R"({"getMore": {"$numberLong": "1"}, "collection": "c", "batchSize": 2, "$db": "d"})",
      R"({"killCursors": "c", "cursors": [{"$numberLong": "1"}], "$db": "d"})",
  };
}

std::vector<std::string> gateway_configs() {
  const std::string id(64, 'a'), share(64, 'b');
  return {
      R"({"key_store": "/var/lib/fluence/gw/keys"})",
      R"({"listen": "127.0.0.1:27018", "key_store": "k", "catalog_anchor": "k.a", "identity_file": "k.i",
          "passphrase_env": "PASS", "argon2": "min", "log_level": "debug",
          "datasets": [{"id": ")" + id + R"(", "node_admin": "127.0.0.1:8001", "read_signatures": 2,
                        "allocation_bytes": 10000000000, "cluster": "eu-1"}],
          "shares": [{"share": ")" + share + R"(", "dataset": ")" + id + R"(", "node_admin": "127.0.0.1:8002",
                      "read_signatures": 1}]})",
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TARGET DIR\n", argv[0]);
    return 2;
  }
  std::string target = argv[1], dir = argv[2];
  if (target == "wire") {
    std::vector<Bytes> messages = wire_messages();
    for (size_t i = 0; i < messages.size(); ++i) {
      if (!wire::parse_message(messages[i], wire::Limits{}).is_ok()) {
        std::fprintf(stderr, "make_corpus: wire seed %zu does not decode\n", i);
        return 1;
      }
      write(dir, i, messages[i]);
    }
  } else if (target == "query") {
    write_documents(dir, {R"({"n": {"$gt": 1, "$lte": {"$numberDouble": "Infinity"}}, "s": "t"})",
                          R"({"$or": [{"a.b": {"$in": [2, "x", null]}}, {"a.b.c": {"$exists": false}}]})",
                          R"({"$nor": [{"t": true}], "$and": [{"_id": {"$nin": [1, "six"]}}, {"a.0.b": 1}]})",
                          R"({"a": {"b": 3}, "arr": [3], "n": {"$ne": {"$numberDecimal": "NaN"}}})",
                          R"({"a.b": 1, "s": 1, "_id": 0})", R"({"a.b.c": 0, "n": 0})", R"({"_id": 1})",
                          R"({"n": -1, "s": 1})", R"({"a.b": 1, "_id": -1})"});
  } else if (target == "update") {
    write_documents(dir, {R"({"$set": {"a.z": 1, "x": [1, {"y": 2}]}, "$inc": {"n": 2}})",
                          R"({"$unset": {"s": "", "a.b.0": 1}})", R"({"$set": {"a.b.3": 4, "arr.0.1": "v"}})",
                          R"({"$inc": {"q": {"$numberLong": "9223372036854775807"}, "n": 1.5}})",
                          R"({"n": 1, "k": {"v": [1, 2]}})", R"({"_id": 1, "s": "replaced"})"});
  } else if (target == "aggregate") {
    // Pipelines: arrays, written as the documents whose encoding they share.
    write_documents(dir, {R"({"0": {"$match": {"n": {"$gte": 0}}}, "1": {"$sort": {"n": -1}}, "2": {"$skip": 1},
                             "3": {"$limit": 3}, "4": {"$project": {"n": 1, "a.b": 1}}})",
                          R"({"0": {"$group": {"_id": "$s", "total": {"$sum": "$n"}, "count": {"$sum": 1}}}})",
                          R"({"0": {"$match": {"s": {"$exists": true}}}, "1": {"$count": "n"}})",
                          R"({"0": {"$group": {"_id": 1, "n": {"$sum": 1}}}})",
                          R"({"0": {"$project": {"_id": 0}}, "1": {"$group": {"_id": "$a.b", "n": {"$sum": 2.5}}},
                              "2": {"$sort": {"_id": 1}}})"});
  } else if (target == "command") {
    write_documents(dir, commands());
  } else if (target == "config") {
    std::vector<std::string> configs = gateway_configs();
    for (size_t i = 0; i < configs.size(); ++i) {
      Result<GatewayConfig> parsed = parse_gateway_config(configs[i], "seed");
      if (!parsed) {
        std::fprintf(stderr, "make_corpus: config seed %zu: %s\n", i, parsed.status().to_string().c_str());
        return 1;
      }
      write(dir, i, as_bytes(configs[i]));
    }
  } else {
    std::fprintf(stderr, "make_corpus: unknown target '%s'\n", target.c_str());
    return 2;
  }
  return 0;
}
