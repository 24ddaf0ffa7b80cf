#include "styrmin/driver/pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>

namespace styrmin::driver {

struct Pattern::Code {
  explicit Code(pcre2_code* c) : code(c) {}
  ~Code() { pcre2_code_free(code); }
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;
  pcre2_code* code;
};

namespace {

// Enough for any sane parameter check; a pattern that needs more is backtracking wildly.
constexpr std::uint32_t kMatchLimit = 1'000'000;
// Backtracking depth grows by one per repetition of a group, so it must exceed the longest
// value (64 KiB, kMaxParameterValueBytes); the frames live on the heap, not the stack.
constexpr std::uint32_t kDepthLimit = 200'000;

std::string ErrorText(int code) {
  std::array<PCRE2_UCHAR, 256> buffer{};
  const int n = pcre2_get_error_message(code, buffer.data(), buffer.size());
  if (n < 0) return "error " + std::to_string(code);
  return {reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(n)};
}

}  // namespace

Result<Pattern> Pattern::Compile(std::string_view pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &error, &offset, nullptr);
  if (code == nullptr) {
    return InvalidArgument("not a valid regular expression: " + ErrorText(error) + " at offset " +
                           std::to_string(offset));
  }
  return Pattern(std::string(pattern), std::make_shared<const Code>(code));
}

Result<bool> Pattern::Matches(std::string_view value) const {
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  if (context == nullptr || data == nullptr) {
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
    return Internal("out of memory matching a pattern");
  }
  pcre2_set_match_limit(context, kMatchLimit);
  pcre2_set_depth_limit(context, kDepthLimit);
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(value.data()), value.size(),
                             0, 0, data, context);
  pcre2_match_data_free(data);
  pcre2_match_context_free(context);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
    return InvalidArgument("the pattern " + text_ + " needs too much work to check this value");
  }
  return InvalidArgument("cannot check the value against the pattern " + text_ + ": " +
                         ErrorText(rc));
}

}  // namespace styrmin::driver
