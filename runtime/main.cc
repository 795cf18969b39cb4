// fluence-node: one node on real sockets, with its data in RocksDB.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <filesystem>
#include <iostream>

#include "model/economy/gateway.h"
#include "runtime/admin.h"
#include "runtime/admin_token.h"
#include "runtime/asio_env.h"
#include "runtime/config.h"
#include "runtime/key_file.h"
#include "runtime/rocks_store.h"

int main(int argc, char** argv) {
  CLI::App app{"Runs one fluence node: DHT peer over authenticated TCP, datasets in RocksDB.\n"
               "The config file (JSON) is documented in runtime/config.h and the README."};
  std::string config_path;
  bool show_identity = false;
  app.add_option("--config", config_path, "configuration file (JSON)")->required();
  app.add_flag("--show-identity", show_identity,
               "create the key file if absent, print {\"id\", \"key\"} as JSON and exit\n"
               "(cluster and arbiter lists name nodes as \"<key>@host:port\")");
  CLI11_PARSE(app, argc, argv);

  fluence::Result<fluence::runtime::NodeFileConfig> config = fluence::runtime::load_config(config_path);
  if (!config) {
    std::cerr << "fluence-node: " << config.status().message() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level == "warning" ? "warn" : config->log_level));
  std::error_code fs_error;
  std::filesystem::create_directories(config->data_dir, fs_error);
  if (fs_error) {
    std::cerr << "fluence-node: config.data_dir: " << config->data_dir << ": " << fs_error.message() << "\n";
    return 2;
  }
  fluence::Result<fluence::dht::Identity> identity =
      fluence::runtime::load_or_create_identity(config->key_file, config->node.dht.puzzle_difficulty);
  if (!identity) {
    std::cerr << "fluence-node: " << identity.status().message() << "\n";
    return 2;
  }
  if (show_identity) {
    std::cout << "{\"id\": \"" << identity->id.hex() << "\", \"key\": \"" << fluence::to_hex(identity->key.public_key().bytes)
              << "\"}\n";
    return 0;
  }
  auto store = fluence::runtime::RocksStore::open(config->data_dir + "/db");
  if (!store) {
    std::cerr << "fluence-node: " << store.status().message() << "\n";
    return 1;
  }

  // The operators' token receipts (config.token_receipts), confirming mints
  // on every hosted dataset's chain; declared before the node, which it outlives.
  fluence::economy::ListedGateway gateway;
  for (const fluence::economy::Mint& receipt : config->token_receipts) {
    if (fluence::Status s = gateway.add(receipt); !s.is_ok()) {
      std::cerr << "fluence-node: config.token_receipts: " << s.message() << "\n";
      return 2;
    }
  }
  config->node.cluster.gateway = &gateway;

  boost::asio::io_context io;
  fluence::runtime::AsioEnv env(io, identity->key.clone(), config->listen, std::move(*store));
  fluence::node::Node node(env, std::move(*identity), config->node);
  env.set_receiver([&node](const fluence::env::Peer& from, fluence::ByteView bytes) { node.on_message(from, bytes); });
  if (fluence::Status s = env.listen(); !s.is_ok()) {
    std::cerr << "fluence-node: config.listen: " << s.message() << "\n";
    return 1;
  }
  std::string admin_token;
  if (!config->admin_token_file.empty()) {
    fluence::Result<std::string> token = fluence::runtime::load_or_create_admin_token(config->admin_token_file);
    if (!token) {
      std::cerr << "fluence-node: config.admin_token_file: " << token.status().message() << "\n";
      return 2;
    }
    admin_token = std::move(*token);
  }
  fluence::runtime::AdminServer admin(io, node, std::move(admin_token));
  if (!config->admin_listen.empty()) {
    if (fluence::Status s = admin.listen(config->admin_listen); !s.is_ok()) {
      std::cerr << "fluence-node: config.admin_listen: " << s.message() << "\n";
      return 1;
    }
  }
  spdlog::info("node {} listening on {}{}", node.identity().id.hex(), config->listen,
               config->admin_listen.empty() ? ""
               : ", admin on " + config->admin_listen + (config->admin_token_file.empty() ? "" : " (token required)"));
  node.start([](fluence::Status status) {
    if (status.is_ok()) {
      spdlog::info("joined the network");
    } else {
      spdlog::warn("join: {}", status.to_string());
    }
  });
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int signal) {
    spdlog::info("signal {}: shutting down", signal);
    admin.close();
    env.close_all();
    io.stop();
  });
  io.run();
  return 0;
}
