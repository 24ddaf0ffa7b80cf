#include "styrmin/graphql/suggest.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>

namespace styrmin::graphql {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<int> Distance(std::string_view input, std::string_view option, int threshold) {
  if (input == option) return 0;
  std::string a = Lower(option);
  std::string b = Lower(input);
  if (a == b) return 1;
  if (a.size() < b.size()) std::swap(a, b);
  const int a_len = static_cast<int>(a.size());
  const int b_len = static_cast<int>(b.size());
  if (a_len - b_len > threshold) return std::nullopt;
  std::array<std::vector<int>, 3> rows;
  for (auto& row : rows) row.assign(static_cast<std::size_t>(b_len) + 1, 0);
  for (int j = 0; j <= b_len; ++j) rows[0][static_cast<std::size_t>(j)] = j;
  for (int i = 1; i <= a_len; ++i) {
    auto& up = rows[static_cast<std::size_t>((i - 1) % 3)];
    auto& current = rows[static_cast<std::size_t>(i % 3)];
    int smallest = current[0] = i;
    for (int j = 1; j <= b_len; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      const int cost = a[static_cast<std::size_t>(i - 1)] == b[uj - 1] ? 0 : 1;
      int cell = std::min({up[uj] + 1, current[uj - 1] + 1, up[uj - 1] + cost});
      if (i > 1 && j > 1 && a[static_cast<std::size_t>(i - 1)] == b[uj - 2] &&
          a[static_cast<std::size_t>(i - 2)] == b[uj - 1]) {
        cell = std::min(cell, rows[static_cast<std::size_t>((i - 2) % 3)][uj - 2] + 1);
      }
      smallest = std::min(smallest, cell);
      current[uj] = cell;
    }
    if (smallest > threshold) return std::nullopt;
  }
  const int distance = rows[static_cast<std::size_t>(a_len % 3)][static_cast<std::size_t>(b_len)];
  if (distance > threshold) return std::nullopt;
  return distance;
}

std::string FormatList(std::string_view conjunction, const std::vector<std::string>& items) {
  if (items.empty()) return "";
  if (items.size() == 1) return items[0];
  if (items.size() == 2) return items[0] + " " + std::string(conjunction) + " " + items[1];
  std::string out;
  for (std::size_t i = 0; i + 1 < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + ", " + std::string(conjunction) + " " + items.back();
}

}  // namespace

int NaturalCompare(std::string_view a, std::string_view b) {
  std::size_t ai = 0;
  std::size_t bi = 0;
  auto digit = [](std::string_view s, std::size_t i) {
    return i < s.size() && s[i] >= '0' && s[i] <= '9';
  };
  while (ai < a.size() && bi < b.size()) {
    if (digit(a, ai) && digit(b, bi)) {
      // As graphql-js: a leading 0 ends its number, so "01" reads as 0 then "1".
      long long an = 0;
      do {
        an = an * 10 + (a[ai] - '0');
        ++ai;
      } while (digit(a, ai) && an > 0);
      long long bn = 0;
      do {
        bn = bn * 10 + (b[bi] - '0');
        ++bi;
      } while (digit(b, bi) && bn > 0);
      if (an != bn) return an < bn ? -1 : 1;
    } else {
      if (a[ai] != b[bi])
        return static_cast<unsigned char>(a[ai]) < static_cast<unsigned char>(b[bi]) ? -1 : 1;
      ++ai;
      ++bi;
    }
  }
  const long long diff = static_cast<long long>(a.size()) - static_cast<long long>(b.size());
  return diff < 0 ? -1 : (diff > 0 ? 1 : 0);
}

std::vector<std::string> SuggestionList(std::string_view input,
                                        const std::vector<std::string>& options) {
  const int threshold = static_cast<int>(input.size() * 4 / 10) + 1;
  std::map<std::string, int> by_distance;  // duplicates collapse, as object keys do in JS
  std::vector<std::string> order;
  for (const auto& option : options) {
    if (auto d = Distance(input, option, threshold)) {
      if (by_distance.emplace(option, *d).second)
        order.push_back(option);
      else
        by_distance[option] = *d;
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](const std::string& x, const std::string& y) {
    const int dx = by_distance[x];
    const int dy = by_distance[y];
    if (dx != dy) return dx < dy;
    return NaturalCompare(x, y) < 0;
  });
  return order;
}

std::string OrList(const std::vector<std::string>& items) { return FormatList("or", items); }
std::string AndList(const std::vector<std::string>& items) { return FormatList("and", items); }

std::string DidYouMean(const std::vector<std::string>& suggestions, std::string_view sub_message) {
  if (suggestions.empty()) return "";
  std::string message = " Did you mean ";
  if (!sub_message.empty()) message += std::string(sub_message) + " ";
  std::vector<std::string> quoted;
  for (std::size_t i = 0; i < suggestions.size() && i < 5; ++i) {
    quoted.push_back("\"" + suggestions[i] + "\"");
  }
  return message + OrList(quoted) + "?";
}

}  // namespace styrmin::graphql
