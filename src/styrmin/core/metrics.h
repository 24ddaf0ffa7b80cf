// Metrics kept in process and rendered in the Prometheus text exposition format (0.0.4):
// counters, gauges and histograms, each a family of series told apart by labels.
//
// Families are declared once (Describe*); recording into an undeclared family is a bug and
// aborts. Gauges that are cheaper to compute when scraped than to keep current (rows in a
// table, ...) come from collectors, which Render calls first.
//
// Thread-safety: every method may be called from any thread; one mutex guards the values.
// Collectors run without it held and may record.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace styrmin {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics final {
 public:
  void DescribeCounter(std::string name, std::string help);
  void DescribeGauge(std::string name, std::string help);
  // `buckets`: the upper bounds, ascending; +Inf is implied.
  void DescribeHistogram(std::string name, std::string help, std::vector<double> buckets);

  void Increment(std::string_view name, const MetricLabels& labels = {}, double by = 1);
  void Set(std::string_view name, const MetricLabels& labels, double value);
  void Observe(std::string_view name, const MetricLabels& labels, double value);
  void AddCollector(std::function<void(Metrics&)> collector);

  // The value of a counter or gauge series (0 when it was never recorded); for tests.
  double Value(std::string_view name, const MetricLabels& labels = {}) const;

  std::string Render();

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Series {
    double value = 0;                   // counters and gauges
    std::vector<std::uint64_t> counts;  // histograms: per bucket, not cumulative; last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    Kind kind = Kind::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<std::string, Series> series;  // by rendered labels: {a="1",b="2"}
  };
  void Describe(std::string name, Kind kind, std::string help, std::vector<double> buckets);
  Series& SeriesOf(std::string_view name, Kind kind, const MetricLabels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;    // guarded by mu_
  std::vector<std::function<void(Metrics&)>> collectors_;  // guarded by mu_
};

}  // namespace styrmin
