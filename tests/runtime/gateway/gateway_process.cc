#include "tests/runtime/gateway/gateway_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

extern char** environ;

namespace fluence::testing {

GatewayProcess::GatewayProcess(const std::filesystem::path& dir, uint16_t port) : dir_(dir), port_(port) {
  std::string binary = FLUENCE_GATEWAY_BINARY;
  std::string config = (dir_ / "gateway.json").string();
  std::string log = (dir_ / "gateway.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.emplace_back("FLUENCE_GATEWAY_PASSPHRASE=a passphrase for the tests");
  std::vector<char*> envp;
  for (std::string& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  char* argv[] = {binary.data(), const_cast<char*>("--config"), config.data(), nullptr};
  if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, envp.data()) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
}

void GatewayProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool GatewayProcess::wait_ready() {
  for (int attempt = 0; attempt < 200 && pid_ > 0; ++attempt) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::pair<std::string, std::string> GatewayProcess::identity(const std::filesystem::path& dir) {
  std::string command = std::string(FLUENCE_GATEWAY_BINARY) + " --identity --config '" + (dir / "gateway.json").string() + "'";
  FILE* out = ::popen(command.c_str(), "r");
  if (out == nullptr) return {};
  std::pair<std::string, std::string> keys;
  char word[16], hex[80];
  while (std::fscanf(out, "%15s %79s", word, hex) == 2) {
    if (std::string(word) == "account") keys.first = hex;
    if (std::string(word) == "preKey") keys.second = hex;
  }
  ::pclose(out);
  return keys;
}

std::string GatewayProcess::log() const {
  std::ifstream in(dir_ / "gateway.log");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace fluence::testing
