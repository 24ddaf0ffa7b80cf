#include "styrmin/graphql/response_text.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "styrmin/graphql/js_format.h"

namespace styrmin::graphql {

void ResponseText::AppendInt(std::int64_t value) {
  constexpr std::size_t kMaxDigits = 20;  // "-9223372036854775808"
  char* begin = Reserve(kMaxDigits);
  size_ += static_cast<std::size_t>(std::to_chars(begin, begin + kMaxDigits, value).ptr - begin);
}

void ResponseText::AppendJsNumber(double value) {
  char* begin = Reserve(kMaxJsNumberSize);
  size_ += static_cast<std::size_t>(WriteJsNumber(begin, value) - begin);
}

std::string ResponseText::Take() {
  buffer_.resize(size_);
  size_ = 0;
  return std::exchange(buffer_, std::string());
}

void ResponseText::Grow(std::size_t extra) {
  buffer_.resize(std::max(buffer_.size() * 2, size_ + std::max<std::size_t>(extra, 64)));
}

}  // namespace styrmin::graphql
