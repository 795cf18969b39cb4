// fluence-gateway: a local service that speaks MongoDB's wire protocol to
// applications and keeps their collections encrypted on fluence nodes.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>

#include "runtime/admin_token.h"
#include "runtime/atomic_file.h"
#include "runtime/gateway/encrypted_store.h"
#include "runtime/gateway/gateway_config.h"
#include "runtime/gateway/gateway_identity.h"
#include "runtime/gateway/key_store_file.h"
#include "runtime/gateway/node_rows.h"
#include "runtime/gateway/server.h"
#include "runtime/gateway/shared_collections.h"
#include "runtime/gateway/sharing.h"
#include "runtime/os_random.h"

namespace {

using namespace fluence;

int fail(const std::string& message) {
  std::cerr << "fluence-gateway: " << message << "\n";
  return 2;
}

std::string passphrase_from(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Serves MongoDB's wire protocol on a local port and stores every collection encrypted on\n"
               "fluence nodes: documents and index buckets are sealed here, nodes see ciphertext only.\n"
               "The config file (JSON) is documented in runtime/gateway/gateway_config.h and the README;\n"
               "the key store's passphrase comes from the environment variable the config names."};
  std::string config_path, export_path, import_path;
  app.add_option("--config", config_path, "configuration file (JSON)")->required();
  app.add_option("--export-keys", export_path,
                 "write a backup of the key store to FILE, sealed under the passphrase in\n"
                 "FLUENCE_GATEWAY_BACKUP_PASSPHRASE (or the store's own), and exit");
  app.add_option("--import-keys", import_path,
                 "merge the backup in FILE (sealed under FLUENCE_GATEWAY_BACKUP_PASSPHRASE, or the\n"
                 "store's own passphrase) into the key store, and exit");
  bool show_identity = false;
  app.add_flag("--identity", show_identity,
               "print this gateway's account and PRE key (what an owner shares with), creating its\n"
               "identity file if absent, and exit");
  CLI11_PARSE(app, argc, argv);

  Result<gateway::GatewayConfig> config = gateway::load_gateway_config(config_path);
  if (!config) return fail(config.status().message());
  Result<gateway::GatewayIdentity> identity = gateway::load_or_create_gateway_identity(config->identity_file);
  if (!identity) return fail(identity.status().to_string());
  if (show_identity) {
    std::cout << "account " << to_hex(identity->account.public_key().view()) << "\n"
              << "preKey " << to_hex(identity->pre.public_key().view()) << "\n";
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level == "warning" ? "warn" : config->log_level));
  std::string passphrase = passphrase_from(config->passphrase_env);
  if (passphrase.empty()) return fail("the key store's passphrase: set " + config->passphrase_env);
  std::string backup_passphrase = passphrase_from("FLUENCE_GATEWAY_BACKUP_PASSPHRASE");
  if (backup_passphrase.empty()) backup_passphrase = passphrase;

  runtime::OsRandom random;
  std::vector<storage::DatasetId> ids;
  for (const gateway::GatewayDataset& d : config->datasets) ids.push_back(d.id);
  Result<client::KeyStore> keys =
      gateway::open_or_create_key_store(config->key_store, passphrase, ids, config->argon2, random);
  if (!keys) return fail(keys.status().to_string());

  if (!export_path.empty()) {
    Status saved = gateway::save_key_store(export_path, *keys, backup_passphrase, config->argon2, random);
    if (!saved.is_ok()) return fail(saved.to_string());
    std::cout << "exported the keys of " << keys->size() << " datasets to " << export_path << "\n";
    return 0;
  }
  if (!import_path.empty()) {
    Result<Bytes> backup = runtime::read_file(import_path);
    if (!backup) return fail(backup.status().to_string());
    Result<size_t> added = keys->import(*backup, backup_passphrase);
    if (!added) return fail(import_path + ": " + added.status().to_string());
    Status saved = gateway::save_key_store(config->key_store, *keys, passphrase, config->argon2, random);
    if (!saved.is_ok()) return fail(saved.to_string());
    std::cout << "imported " << *added << " datasets into " << config->key_store << "\n";
    return 0;
  }

  // The nodes' admin tokens, read once per file; a path that holds none stops the start.
  std::map<std::string, std::string> tokens;
  auto token_in = [&tokens](const std::string& path, const std::string& field) -> Result<std::string> {
    if (path.empty()) return std::string();
    if (auto known = tokens.find(path); known != tokens.end()) return known->second;
    Result<std::string> token = runtime::read_admin_token(path);
    if (!token) return Status::error(token.status().code(), field + ": " + token.status().message());
    tokens.emplace(path, *token);
    return token;
  };
  Result<std::string> default_token = token_in(config->node_admin_token_file, "config.node_admin_token_file");
  if (!default_token) return fail(default_token.status().to_string());
  std::vector<std::unique_ptr<gateway::NodeRowSource>> sources;
  std::vector<gateway::DatasetRows> datasets;
  for (size_t i = 0; i < config->datasets.size(); ++i) {
    const gateway::GatewayDataset& d = config->datasets[i];
    gateway::NodeRowSourceOptions options;
    options.admin_address = d.node_admin.host + ":" + std::to_string(d.node_admin.port);
    Result<std::string> token =
        token_in(d.node_admin_token_file, "config.datasets[" + std::to_string(i) + "].node_admin_token_file");
    if (!token) return fail(token.status().to_string());
    options.admin_token = *token;
    options.dataset = to_hex(d.id);
    options.signatures = d.read_signatures;
    Result<std::unique_ptr<gateway::NodeRowSource>> source = gateway::NodeRowSource::open(options);
    if (!source) return fail(source.status().to_string());
    if (!d.allocation_given) {
      spdlog::warn("dataset {}: no allocation_bytes in the config; its collections will never be sharded",
                   to_hex(d.id));
    }
    datasets.push_back({d.id, source->get(), d.allocation_bytes, d.cluster});
    sources.push_back(std::move(*source));
  }
  // One MongoDB command, one commit: the buffered rows of every dataset go
  // to their clusters, each as one write; a dataset the command did not
  // touch has nothing buffered and sends nothing, however many shards a
  // collection spans.
  auto commit = [&sources]() -> Status {
    for (const auto& source : sources) FL_RETURN_IF_ERROR(source->flush());
    return Status::ok();
  };
  // Refuses nodes that serve an older catalog than this gateway committed.
  gateway::FileCatalogAnchor anchor(config->catalog_anchor);
  gateway::EncryptedStoreOptions store_options;
  store_options.anchor = &anchor;
  // A gateway without datasets has no store of its own: it reads shares.
  std::unique_ptr<gateway::EncryptedStore> store;
  if (!datasets.empty()) {
    Result<std::unique_ptr<gateway::EncryptedStore>> opened =
        gateway::EncryptedStore::open(datasets, *keys, random, commit, store_options);
    if (!opened) return fail("cannot open the collections' catalog: " + opened.status().to_string());
    store = std::move(*opened);
  }
  std::vector<gateway::OwnedDataset> owned;
  for (size_t i = 0; i < datasets.size(); ++i) owned.push_back({datasets[i].dataset, sources[i].get(), datasets[i].allocation_bytes});
  gateway::Sharing sharing(std::move(*identity), &*keys, store.get(), std::move(owned), random);
  sharing.set_node_admin_token(*default_token);
  for (size_t i = 0; i < config->shares.size(); ++i) {
    const gateway::GatewayShare& s = config->shares[i];
    std::string admin = s.node_admin.host + ":" + std::to_string(s.node_admin.port);
    Result<std::string> token =
        token_in(s.node_admin_token_file, "config.shares[" + std::to_string(i) + "].node_admin_token_file");
    if (!token) return fail(token.status().to_string());
    Result<gateway::Namespace> ns =
        sharing.attach({crypto::PublicKey{s.share}, s.dataset, admin, s.read_signatures, *token});
    if (!ns) return fail("config.shares: share " + to_hex(s.share) + ": " + ns.status().to_string());
    spdlog::info("share {} reads as {}", to_hex(s.share), ns->full());
  }
  gateway::SharedCollections documents(store.get(), sharing);

  gateway::GatewayOptions options;
  options.host = config->listen.host;
  options.port = config->listen.port;
  options.sharing = &sharing;
  spdlog::info("fluence-gateway: serving {} datasets on {}:{}", datasets.size(), options.host, options.port);
  Status served = gateway::run_gateway(documents, options);
  if (!served.is_ok()) return fail(served.to_string());
  return 0;
}
