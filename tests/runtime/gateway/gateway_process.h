// The fluence-gateway executable as a child process, for the tests and
// benchmarks that drive the whole product: it reads DIR/gateway.json, logs
// to DIR/gateway.log, gets its key store's passphrase in its environment,
// and is stopped with SIGTERM and reaped when the object goes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>

namespace fluence::testing {

class GatewayProcess {
 public:
  GatewayProcess(const std::filesystem::path& dir, uint16_t port);
  ~GatewayProcess() { stop(); }
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  // Until the gateway accepts connections (it opens its key store and
  // catalog first), it exits, or 20 s pass.
  bool wait_ready();
  void stop();
  std::string log() const;

  // `fluence-gateway --identity` on DIR/gateway.json: {"account", "preKey"}
  // in hex, the identity file created if absent; empty values on failure.
  static std::pair<std::string, std::string> identity(const std::filesystem::path& dir);

 private:
  std::filesystem::path dir_;
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace fluence::testing
