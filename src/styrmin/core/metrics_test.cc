#include "styrmin/core/metrics.h"

#include <gtest/gtest.h>

namespace styrmin {
namespace {

TEST(Metrics, RendersCountersGaugesAndHistogramsInPrometheusTextFormat) {
  Metrics m;
  m.DescribeCounter("requests_total", "Requests served.");
  m.DescribeGauge("runs", "Runs by state.");
  m.DescribeHistogram("latency_seconds", "Request latency.", {0.1, 1});
  m.Increment("requests_total", {{"path", "/graphql"}, {"status", "200"}});
  m.Increment("requests_total", {{"path", "/graphql"}, {"status", "200"}}, 2);
  m.Set("runs", {{"state", "QUEUED"}}, 4);
  m.Observe("latency_seconds", {}, 0.05);
  m.Observe("latency_seconds", {}, 0.5);
  m.Observe("latency_seconds", {}, 5);
  EXPECT_EQ(m.Render(),
            "# HELP latency_seconds Request latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.10000000000000001\"} 1\n"
            "latency_seconds_bucket{le=\"1\"} 2\n"
            "latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "latency_seconds_sum 5.5499999999999998\n"
            "latency_seconds_count 3\n"
            "# HELP requests_total Requests served.\n"
            "# TYPE requests_total counter\n"
            "requests_total{path=\"/graphql\",status=\"200\"} 3\n"
            "# HELP runs Runs by state.\n"
            "# TYPE runs gauge\n"
            "runs{state=\"QUEUED\"} 4\n");
  EXPECT_EQ(m.Value("requests_total", {{"path", "/graphql"}, {"status", "200"}}), 3);
  EXPECT_EQ(m.Value("requests_total", {{"path", "/other"}}), 0);
}

TEST(Metrics, EscapesLabelValuesAndRunsCollectorsWhenRendering) {
  Metrics m;
  m.DescribeGauge("rows", "Rows.");
  int scrapes = 0;
  m.AddCollector([&](Metrics& self) { self.Set("rows", {{"table", "a\"b\\c\nd"}}, ++scrapes); });
  EXPECT_NE(m.Render().find("rows{table=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
  EXPECT_NE(m.Render().find("} 2\n"), std::string::npos);
}

}  // namespace
}  // namespace styrmin
