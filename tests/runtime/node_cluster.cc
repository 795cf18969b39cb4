#include "tests/runtime/node_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "runtime/key_file.h"

extern char** environ;

namespace fluence::testing {

nlohmann::json one_dataset(const std::vector<std::string>& peers, const std::string& dataset_hex, size_t members) {
  std::vector<std::string> held(peers.begin(), peers.begin() + static_cast<ptrdiff_t>(members));
  std::vector<std::string> arbiters(peers.begin() + static_cast<ptrdiff_t>(members), peers.end());
  return nlohmann::json{{"datasets", {{{"id", dataset_hex}, {"members", held}, {"arbiters", arbiters}}}}};
}

// Ports come from below Linux's ephemeral range (32768 and up), not from
// binding port 0: a port the kernel handed out and we closed can be handed
// out again at once, as the source port of any outbound connection, such as
// one node dialling another, before the node meant to listen on it starts.
// Each process starts at its own offset so concurrent tests rarely meet, and
// a port that is taken (bind fails) is skipped.
uint16_t free_port() {
  constexpr int kFirst = 20000;
  constexpr int kSpan = 12000;
  static int next = static_cast<int>(getpid() % (kSpan / 64)) * 64;
  for (int tries = 0; tries < kSpan; ++tries) {
    uint16_t port = static_cast<uint16_t>(kFirst + next++ % kSpan);
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  FL_ASSERT_MSG(false, "no free port below the ephemeral range");
  return 0;
}

NodeCluster::NodeCluster(size_t nodes, int puzzle_difficulty, Extra extra) {
  root_ = std::filesystem::temp_directory_path() /
          ("fluence-cluster-" + std::to_string(getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::create_directories(root_);
  for (size_t i = 0; i < nodes; ++i) {
    NodeProcess p;
    p.address = "127.0.0.1:" + std::to_string(free_port());
    p.admin_address = "127.0.0.1:" + std::to_string(free_port());
    p.dir = root_ / ("n" + std::to_string(i));
    std::filesystem::create_directories(p.dir);
    nodes_.push_back(p);
  }
  std::vector<std::string> peers;
  for (const NodeProcess& p : nodes_) {
    Result<dht::Identity> identity = runtime::load_or_create_identity((p.dir / "key").string(), puzzle_difficulty);
    FL_ASSERT_MSG(identity.is_ok(), identity.status().message().c_str());
    peers.push_back(to_hex(identity->key.public_key().bytes) + "@" + p.address);
  }
  nlohmann::json common = extra(peers);
  common["puzzle_difficulty"] = puzzle_difficulty;
  for (size_t i = 0; i < nodes; ++i) {
    nlohmann::json config = {{"listen", nodes_[i].address},
                             {"admin_listen", nodes_[i].admin_address},
                             {"data_dir", (nodes_[i].dir / "data").string()},
                             {"key_file", (nodes_[i].dir / "key").string()},
                             {"bootstrap", i == 0 ? nlohmann::json::array() : nlohmann::json::array({nodes_[0].address})},
                             {"log_level", "warning"}};
    for (const auto& [k, v] : common.items()) config[k] = v;
    std::ofstream(nodes_[i].dir / "config.json") << config.dump(2);
  }
}

NodeCluster::~NodeCluster() {
  for (size_t i = 0; i < nodes_.size(); ++i) kill(i, SIGKILL);
  if (std::getenv("FLUENCE_KEEP_CLUSTER") != nullptr) {
    std::fprintf(stderr, "kept the nodes' folders and logs in %s\n", root_.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

void NodeCluster::start(size_t index) {
  NodeProcess& p = nodes_[index];
  std::string config = (p.dir / "config.json").string();
  std::string log = (p.dir / "log.txt").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string binary = FLUENCE_NODE_BINARY;
  char* argv[] = {binary.data(), const_cast<char*>("--config"), config.data(), nullptr};
  posix_spawn(&p.pid, binary.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
}

void NodeCluster::kill(size_t index, int signal) {
  NodeProcess& p = nodes_[index];
  if (p.pid <= 0) return;
  ::kill(p.pid, signal);
  int status = 0;
  ::waitpid(p.pid, &status, 0);
  p.pid = -1;
}

nlohmann::json NodeCluster::admin(size_t index, const nlohmann::json& request, int timeout_ms) {
  return admin_line(index, request.dump(), timeout_ms);
}

nlohmann::json NodeCluster::admin_line(size_t index, const std::string& request, int timeout_ms) {
  if (admin_token_.empty()) return admin_lines(index, {request}, timeout_ms)[0];
  nlohmann::json auth = {{"cmd", "auth"}, {"token", admin_token_}};
  std::vector<nlohmann::json> replies = admin_lines(index, {auth.dump(), request}, timeout_ms);
  return replies[0].contains("error") ? replies[0] : replies[1];
}

std::vector<nlohmann::json> NodeCluster::admin_lines(size_t index, const std::vector<std::string>& lines,
                                                     int timeout_ms) {
  std::vector<nlohmann::json> replies(lines.size(), nlohmann::json{{"error", "no reply"}});
  const std::string& address = nodes_[index].admin_address;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    replies.assign(lines.size(), {{"error", "cannot connect to admin"}});
    return replies;
  }
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    ::close(fd);
    replies.assign(lines.size(), {{"error", "cannot write"}});
    return replies;
  }
  std::string received;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto complete = [&] { return static_cast<size_t>(std::count(received.begin(), received.end(), '\n')) >= lines.size(); };
  while (!complete()) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    pollfd pfd{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&pfd, 1, left) <= 0) break;
    char buffer[4096];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;  // closed by the node
    received.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t start = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t end = received.find('\n', start);
    if (end == std::string::npos) break;
    try {
      replies[i] = nlohmann::json::parse(received.substr(start, end - start));
    } catch (const std::exception& e) {
      replies[i] = {{"error", e.what()}};
    }
    start = end + 1;
  }
  return replies;
}

bool NodeCluster::wait_until(const std::function<bool(size_t, const nlohmann::json&)>& ready, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (size_t i = 0; i < nodes_.size() && all; ++i) {
      if (nodes_[i].pid <= 0) continue;
      nlohmann::json info = admin(i, {{"cmd", "info"}}, 2000);
      all = !info.contains("error") && ready(i, info);
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

}  // namespace fluence::testing
