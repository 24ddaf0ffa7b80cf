#include "styrmin/core/metrics.h"

#include <cmath>
#include <cstdint>
#include <sstream>

#include "styrmin/core/status.h"

namespace styrmin {

namespace {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    out += EscapeLabelValue(labels[i].second);
    out += '"';
  }
  out += '}';
  return out;
}

// `{a="1"}` plus one more label: `{a="1",le="0.5"}`.
std::string WithLabel(const std::string& rendered, std::string_view name, std::string_view value) {
  std::string extra = std::string(name) + "=\"" + std::string(value) + "\"";
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

}  // namespace

void Metrics::Describe(std::string name, Kind kind, std::string help, std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& family = families_[std::move(name)];
  family.kind = kind;
  family.help = std::move(help);
  family.buckets = std::move(buckets);
}

void Metrics::DescribeCounter(std::string name, std::string help) {
  Describe(std::move(name), Kind::kCounter, std::move(help), {});
}

void Metrics::DescribeGauge(std::string name, std::string help) {
  Describe(std::move(name), Kind::kGauge, std::move(help), {});
}

void Metrics::DescribeHistogram(std::string name, std::string help, std::vector<double> buckets) {
  Describe(std::move(name), Kind::kHistogram, std::move(help), std::move(buckets));
}

Metrics::Series& Metrics::SeriesOf(std::string_view name, Kind kind, const MetricLabels& labels) {
  const auto it = families_.find(name);
  STYRMIN_CHECK(it != families_.end() && it->second.kind == kind,
                "metrics are recorded into families described with their kind");
  Series& series = it->second.series[RenderLabels(labels)];
  if (kind == Kind::kHistogram && series.counts.empty()) {
    series.counts.assign(it->second.buckets.size() + 1, 0);
  }
  return series;
}

void Metrics::Increment(std::string_view name, const MetricLabels& labels, double by) {
  std::lock_guard<std::mutex> lock(mu_);
  SeriesOf(name, Kind::kCounter, labels).value += by;
}

void Metrics::Set(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  SeriesOf(name, Kind::kGauge, labels).value = value;
}

void Metrics::Observe(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& series = SeriesOf(name, Kind::kHistogram, labels);
  const auto& buckets = families_.find(name)->second.buckets;
  std::size_t bucket = 0;
  while (bucket < buckets.size() && value > buckets[bucket]) ++bucket;
  ++series.counts[bucket];
  series.sum += value;
  ++series.count;
}

void Metrics::AddCollector(std::function<void(Metrics&)> collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

double Metrics::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto family = families_.find(name);
  if (family == families_.end()) return 0;
  const auto series = family->second.series.find(RenderLabels(labels));
  return series == family->second.series.end() ? 0 : series->second.value;
}

std::string Metrics::Render() {
  std::vector<std::function<void(Metrics&)>> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    collectors = collectors_;
  }
  for (const auto& collect : collectors) collect(*this);
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  // One "name{labels} value" line; appended piecewise, as Render runs on every scrape.
  const auto line = [&out](std::string_view name, std::string_view suffix, std::string_view labels,
                           std::string_view value) {
    out.append(name).append(suffix).append(labels).append(" ").append(value).append("\n");
  };
  for (const auto& [name, family] : families_) {
    out.append("# HELP ").append(name).append(" ").append(family.help).append("\n");
    out.append("# TYPE ").append(name).append(" ");
    out.append(family.kind == Kind::kCounter ? "counter"
               : family.kind == Kind::kGauge ? "gauge"
                                             : "histogram");
    out.append("\n");
    for (const auto& [labels, series] : family.series) {
      if (family.kind != Kind::kHistogram) {
        line(name, "", labels, Number(series.value));
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b <= family.buckets.size(); ++b) {
        cumulative += series.counts[b];
        const std::string le = b < family.buckets.size() ? Number(family.buckets[b]) : "+Inf";
        line(name, "_bucket", WithLabel(labels, "le", le), std::to_string(cumulative));
      }
      line(name, "_sum", labels, Number(series.sum));
      line(name, "_count", labels, std::to_string(series.count));
    }
  }
  return out;
}

}  // namespace styrmin
