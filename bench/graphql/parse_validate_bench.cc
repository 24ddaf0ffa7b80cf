// Parse, and parse + validate, of the dashboard query against the dashboard schema
// (execute_bench.cc adds execution). graphql_js_bench.cjs measures graphql-js doing the same;
// bench/graphql/run.sh runs both and prints the ratio.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/validate.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const styrmin::graphql::Schema& DashboardSchema() {
  static const styrmin::graphql::Schema schema = [] {
    auto built = styrmin::graphql::BuildSchema(ReadFile(STYRMIN_BENCH_DIR "/dashboard.graphql"));
    STYRMIN_CHECK(built.has_value(), "the benchmark schema builds");
    return std::move(built).value();
  }();
  return schema;
}

void BM_Parse(benchmark::State& state) {
  const std::string query = ReadFile(STYRMIN_BENCH_DIR "/dashboard_query.graphql");
  for (auto _ : state) {
    styrmin::graphql::Source source(query);
    auto document = styrmin::graphql::Parse(source);
    benchmark::DoNotOptimize(document);
  }
}
BENCHMARK(BM_Parse);

void BM_ParseAndValidate(benchmark::State& state) {
  const std::string query = ReadFile(STYRMIN_BENCH_DIR "/dashboard_query.graphql");
  const auto& schema = DashboardSchema();
  for (auto _ : state) {
    styrmin::graphql::Source source(query);
    auto document = styrmin::graphql::Parse(source);
    auto errors = styrmin::graphql::Validate(schema, *document, source);
    if (!errors.empty()) state.SkipWithError(errors.front().message.c_str());
    benchmark::DoNotOptimize(errors);
  }
}
BENCHMARK(BM_ParseAndValidate);

}  // namespace

BENCHMARK_MAIN();
