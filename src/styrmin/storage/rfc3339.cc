#include "styrmin/storage/rfc3339.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace styrmin::storage {
namespace {

// A cursor over the text that reads fixed-width decimal fields.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool Digits(std::size_t width, int& out) {
    if (pos_ + width > text_.size()) return false;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    pos_ += width;
    out = value;
    return true;
  }

  bool Literal(char expected) {
    if (pos_ >= text_.size() || text_[pos_] != expected) return false;
    ++pos_;
    return true;
  }

  bool AnyOf(std::string_view accepted, char& out) {
    if (pos_ >= text_.size() || accepted.find(text_[pos_]) == std::string_view::npos) return false;
    out = text_[pos_++];
    return true;
  }

  bool AtEnd() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text) {
  auto invalid = [text](std::string_view why) {
    return InvalidArgument("invalid RFC 3339 timestamp \"" + std::string(text) +
                           "\": " + std::string(why));
  };
  Reader in(text);
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char separator = 0;
  if (!in.Digits(4, year) || !in.Literal('-') || !in.Digits(2, month) || !in.Literal('-') ||
      !in.Digits(2, day)) {
    return invalid("expected a date YYYY-MM-DD");
  }
  if (!in.AnyOf("Tt ", separator)) return invalid("expected 'T' after the date");
  if (!in.Digits(2, hour) || !in.Literal(':') || !in.Digits(2, minute) || !in.Literal(':') ||
      !in.Digits(2, second)) {
    return invalid("expected a time HH:MM:SS");
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return invalid("no such date");
  if (hour > 23 || minute > 59 || second > 59) return invalid("no such time of day");

  std::chrono::nanoseconds fraction{0};
  if (in.Literal('.')) {
    int digits = 0;
    std::int64_t nanos = 0;
    int digit = 0;
    while (in.Digits(1, digit)) {
      // Digits past nanoseconds cannot be represented; they are read and dropped.
      if (digits < 9) nanos = nanos * 10 + digit;
      ++digits;
    }
    if (digits == 0) return invalid("expected digits after '.'");
    for (int i = digits; i < 9; ++i) nanos *= 10;
    fraction = std::chrono::nanoseconds{nanos};
  }

  std::chrono::minutes offset{0};
  char zone = 0;
  if (!in.AnyOf("Zz+-", zone)) return invalid("expected 'Z' or an offset like +02:00");
  if (zone == '+' || zone == '-') {
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!in.Digits(2, offset_hours) || !in.Literal(':') || !in.Digits(2, offset_minutes) ||
        offset_hours > 23 || offset_minutes > 59) {
      return invalid("expected an offset like +02:00");
    }
    offset = std::chrono::hours{offset_hours} + std::chrono::minutes{offset_minutes};
    if (zone == '-') offset = -offset;
  }
  if (!in.AtEnd()) return invalid("unexpected text after the time zone");

  // The local time minus its offset is UTC. Seconds cover every four-digit year without
  // overflow; the clock's own ticks (nanoseconds here) reach only about 1678 to 2262.
  using Ticks = std::chrono::system_clock::duration;
  const std::chrono::sys_seconds utc = std::chrono::sys_days{date} + std::chrono::hours{hour} +
                                       std::chrono::minutes{minute} + std::chrono::seconds{second} -
                                       offset;
  constexpr auto kLimit = std::chrono::duration_cast<std::chrono::seconds>(Ticks::max());
  if (utc.time_since_epoch() >= kLimit || utc.time_since_epoch() <= -kLimit) {
    return invalid("outside the range of the system clock");
  }
  return std::chrono::time_point_cast<Ticks>(utc) + std::chrono::duration_cast<Ticks>(fraction);
}

}  // namespace styrmin::storage
