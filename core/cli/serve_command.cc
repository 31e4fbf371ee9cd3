// The server's life: block the stop signals before any thread starts, open the store in real
// time (recovery), listen, then take the signals synchronously, so shutdown is ordinary code:
// stop accepting, let requests and plugin calls in flight finish, commit, write the audit
// checkpoint, exit 0.
#include "cli/serve_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <unistd.h>

#include <chrono>
#include <ostream>

#include "app/installation.h"
#include "app/session.h"
#include "cli/exit_code.h"
#include "cli/real_time_loop.h"
#include "server/api.h"
#include "server/http_server.h"

namespace coalition::cli {

namespace {

int failed(std::ostream& err, const Error& error) {
  err << "coalition serve: " << error.to_string() << "\n";
  return exit_code_for(error);
}

// How long requests in flight may take to finish once a stop signal came.
constexpr std::chrono::seconds kDrainGrace{30};

}  // namespace

int run_serve_command(const ServeOptions& o, const Installation& installation, std::ostream& out,
                      std::ostream& err) {
  const ServerConfig& config = installation.config.server;
  std::string host;
  uint16_t port = 0;
  if (auto s = parse_listen_address(o.listen.empty() ? config.listen : o.listen, host, port); !s) {
    return failed(err, s.error());
  }
  const bool tls = !config.tls_certificate.empty();
  if (!tls && !is_loopback_host(host) && !config.plain_http_beyond_loopback) {
    return failed(err, Error::configuration(
                           "plain HTTP only on a loopback address: configure "
                           "server.tls_certificate and server.tls_private_key, or set "
                           "server.plain_http_beyond_loopback for a proxy that terminates TLS"));
  }

  const sigset_t stop = block_stop_signals();

  app::SessionOptions so;
  so.store = o.store;
  so.owner = "coalition serve (pid " + std::to_string(::getpid()) + ")";
  so.adopt = true;  // on PostgreSQL: a node that takes up what nobody alive works on
  auto s = app::Session::open(installation, so);
  if (!s) return failed(err, s.error());
  app::Session& session = **s;
  // The server runs in real time; a store rehearsed in virtual time stays a rehearsal. (A fresh
  // store became a real-time one when the session opened it.)
  auto mode = app::store_clock(session.store());
  if (!mode) return failed(err, mode.error());
  if (*mode == app::StoreClock::kVirtual) {
    return failed(err, Error::conflict("this store runs in virtual time (a rehearsal, --now); the "
                                       "server runs only real-time stores"));
  }

  Api api(session, installation.config);
  if (config.web) {
    const bool configured = !config.web_root.empty();
    const auto root = configured ? config.web_root : app::builtin_web_directory();
    auto web = WebAssets::load(root, RealFileSystem());
    if (web) {
      api.serve_web(std::move(*web));
    } else if (configured || web.error().code() != ErrorCode::kNotFound) {
      return failed(err, web.error());
    } else {
      err << "coalition serve: warning: " << web.error().message() << "; serving the API only\n";
    }
  }
  if (auto enabled = api.enable_sign_in(); !enabled) return failed(err, enabled.error());
  for (const auto& failed : api.prefetch_identity_keys()) {
    err << "coalition serve: warning: " << failed.message()
        << " (tried again when a token needs it)\n";
  }
  HttpServerOptions options;
  options.threads = config.threads;
  options.body_bytes = config.body_bytes;
  options.header_bytes = config.header_bytes;
  options.read_timeout = config.read_timeout;
  options.write_timeout = config.write_timeout;
  options.max_connections = config.max_connections;
  options.tls_certificate = config.tls_certificate;
  options.tls_private_key = config.tls_private_key;
  HttpServer server(options, [&api](HttpRequest r, HttpServer::Responder respond) {
    api.handle(std::move(r), respond);
  });
  auto bound = server.start(host, port);
  if (!bound) return failed(err, bound.error());
  api.set_ready(true);
  RealTimeLoop loop(session, installation, stop, "coalition serve", err);
  loop.report_recovery();
  err << "coalition serve: listening on " << (tls ? "https://" : "http://") << *bound << std::endl;
  Status ran = loop.run();
  api.set_ready(false);
  server.shutdown(kDrainGrace);
  api.drain();  // a request past the grace still finishes before the engine stops
  if (!ran) return failed(err, ran.error());
  session.engine().wait_idle();
  loop.finish();
  if (auto c = session.close(); !c) return failed(err, c.error());
  out << "server stopped\n";
  return kExitOk;
}

Command serve_command() {
  return make_command<ServeOptions>(
      {.path = "serve",
       .help = "Run the engine in real time behind the HTTP API until SIGTERM",
       .runs_until_stopped = true,
       .define =
           [](CommandOptions& c, ServeOptions& o) {
             c.app().add_option("--listen", o.listen, "HOST:PORT (default: server.listen)");
             c.store(o.store);
           },
       .run =
           [](const ServeOptions& o, const CommandContext& c) {
             return run_serve_command(o, *c.installation, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
