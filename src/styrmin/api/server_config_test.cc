#include "styrmin/api/server_config.h"

#include <gtest/gtest.h>

#include <map>

namespace styrmin::api {
namespace {

struct Env {
  std::map<std::string, std::string> vars;
  std::optional<std::string> operator()(const std::string& name) const {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
};

TEST(ParseServerConfig, DefaultsToLoopback8080AndTheXdgDataDirectory) {
  auto config = ParseServerConfig({}, Env{{{"HOME", "/home/u"}}});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 8080);
  EXPECT_EQ(config->data_dir, "/home/u/.local/share/styrmin");
  EXPECT_EQ(DatabaseOf(*config).value().target, "/home/u/.local/share/styrmin/styrmin.db");
  config = ParseServerConfig({}, Env{{{"HOME", "/home/u"}, {"XDG_DATA_HOME", "/xdg"}}});
  EXPECT_EQ(config->data_dir, "/xdg/styrmin");
}

TEST(ParseServerConfig, FlagsWinOverTheEnvironment) {
  const Env env{{{"STYRMIN_LISTEN", "0.0.0.0:9000"},
                 {"STYRMIN_DATA_DIR", "/env"},
                 {"STYRMIN_DATABASE", "sqlite:/env/x.db"}}};
  auto config = ParseServerConfig({}, env);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->listen_host, "0.0.0.0");
  EXPECT_EQ(config->listen_port, 9000);
  EXPECT_EQ(DatabaseOf(*config).value().target, "/env/x.db");
  config = ParseServerConfig({"--listen", "[::1]:0", "--data-dir=/flag", "--database", ""}, env);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->listen_host, "::1");
  EXPECT_EQ(config->listen_port, 0);
  EXPECT_EQ(DatabaseOf(*config).value().target, "/flag/styrmin.db");
}

TEST(ParseServerConfig, RefusesMalformedFlagsNamingThem) {
  const Env env;
  for (const auto& [args, fragment] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--listen", "8080"}, "--listen \"8080\": expected HOST:PORT"},
           {{"--listen", "h:70000"}, "0 to 65535"},
           {{"--listen", "h:x"}, "0 to 65535"},
           {{"--data-dir"}, "--data-dir needs a value"},
           {{"--data-dir="}, "must not be empty"},
           {{"--verbose"}, "unknown flag \"--verbose\""},
           {{"--tls-cert", "c.pem"}, "TLS needs both --tls-cert and --tls-key"},
           {{"--secret-key-file="}, "--secret-key-file must not be empty"}}) {
    auto config = ParseServerConfig(args, env);
    ASSERT_FALSE(config.has_value()) << args.front();
    EXPECT_EQ(config.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(config.error().message().find(fragment), std::string::npos)
        << config.error().message();
  }
  auto bad_env = ParseServerConfig({}, Env{{{"STYRMIN_LISTEN", "x"}}});
  ASSERT_FALSE(bad_env.has_value());
  EXPECT_NE(bad_env.error().message().find("STYRMIN_LISTEN"), std::string::npos);
}

TEST(ParseServerConfig, TakesTlsFilesFromFlagsOrTheEnvironment) {
  auto config = ParseServerConfig({"--tls-cert", "/c.pem", "--tls-key=/k.pem"}, Env{});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->tls_certificate_file, "/c.pem");
  EXPECT_EQ(config->tls_private_key_file, "/k.pem");
  config =
      ParseServerConfig({}, Env{{{"STYRMIN_TLS_CERT", "/e.pem"}, {"STYRMIN_TLS_KEY", "/ek.pem"}}});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->tls_certificate_file, "/e.pem");
}

TEST(ParseServerConfig, TheSecretKeyFileDefaultsToTheDataDirectory) {
  auto config = ParseServerConfig({"--data-dir", "/d"}, Env{});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->secret_key_file, "/d/secret.key");
  config = ParseServerConfig({}, Env{{{"STYRMIN_SECRET_KEY_FILE", "/e.key"}}});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->secret_key_file, "/e.key");
  config = ParseServerConfig({"--secret-key-file", "/f.key"},
                             Env{{{"STYRMIN_SECRET_KEY_FILE", "/e.key"}}});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->secret_key_file, "/f.key");  // the flag wins
}

TEST(DatabaseOf, AcceptsSqliteAndPostgresqlUrlsAndRefusesOthersWithoutEchoingThem) {
  using Kind = DatabaseChoice::Kind;
  ServerConfig config;
  config.database = "sqlite:///var/lib/styrmin.db";
  EXPECT_EQ(DatabaseOf(config).value().target, "/var/lib/styrmin.db");
  EXPECT_EQ(DatabaseOf(config).value().kind, Kind::kSqlite);
  config.database = "sqlite:rel.db";
  EXPECT_EQ(DatabaseOf(config).value().target, "rel.db");
  config.database = "postgresql://styrmin@db:5432/styrmin";
  EXPECT_EQ(DatabaseOf(config).value().kind, Kind::kPostgres);
  EXPECT_EQ(DatabaseOf(config).value().target, "postgresql://styrmin@db:5432/styrmin");
  config.database = "mysql://root:hunter2@x";
  const auto refused = DatabaseOf(config);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message().find("expected sqlite:PATH"), std::string::npos);
  EXPECT_EQ(refused.error().message().find("hunter2"), std::string::npos);
  config.database = "sqlite:";
  EXPECT_FALSE(DatabaseOf(config).has_value());
}

}  // namespace
}  // namespace styrmin::api
