#include "styrmin/driver/template_check.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace styrmin::driver {
namespace {

constexpr std::array<std::string_view, 10> kBlockTags = {
    "if", "for", "macro", "call", "filter", "with", "block", "autoescape", "trans", "set"};
constexpr std::array<std::string_view, 9> kSimpleTags = {
    "include", "import", "from", "extends", "do", "break", "continue", "print", "set"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct Open {
  std::string tag;
  std::size_t line;
  bool else_seen = false;  // an if or for past its {% else %}
};

// Whether a `set` tag's text assigns (`x = 1`) rather than opens a block (`x | filter("a=b")`):
// an '=' outside string literals that is not part of ==, !=, <= or >=.
bool Assigns(std::string_view rest) {
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      while (j < rest.size() && rest[j] != c) j += rest[j] == '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c != '=') continue;
    const char before = i > 0 ? rest[i - 1] : ' ';
    const char after = i + 1 < rest.size() ? rest[i + 1] : ' ';
    if (after != '=' && before != '=' && before != '!' && before != '<' && before != '>') {
      return true;
    }
  }
  return false;
}

// Whether `inner` (the text between delimiters) opens another tag outside string literals: the
// first delimiter was left unclosed and a later closing one was taken for its.
bool OpensAnother(std::string_view inner) {
  for (std::size_t i = 0; i + 1 < inner.size(); ++i) {
    const char c = inner[i];
    if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      while (j < inner.size() && inner[j] != c) j += inner[j] == '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c == '{' && (inner[i + 1] == '{' || inner[i + 1] == '%')) return true;
  }
  return false;
}

class Checker {
 public:
  Checker(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  std::vector<Problem> Run() {
    std::size_t at = 0;
    while (at < text_.size()) {
      const std::size_t open = text_.find('{', at);
      if (open == std::string_view::npos || open + 1 >= text_.size()) break;
      const char kind = text_[open + 1];
      if (kind == '#') {
        at = Comment(open);
      } else if (kind == '{') {
        at = Delimited(open, "}}", "{{");
      } else if (kind == '%') {
        at = Tag(open);
      } else {
        at = open + 1;
      }
    }
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      Report(it->line, "{% " + it->tag + " %} is never closed (expected {% end" + it->tag + " %})");
    }
    return std::move(problems_);
  }

 private:
  // Lines are counted incrementally: the scan asks for increasing offsets.
  std::size_t LineOf(std::size_t offset) {
    if (offset < counted_) {
      counted_ = 0;
      line_ = 1;
    }
    for (; counted_ < offset; ++counted_) {
      if (text_[counted_] == '\n') ++line_;
    }
    return line_;
  }
  void Report(std::size_t line, std::string message) {
    problems_.push_back({std::string(file_) + ":" + std::to_string(line), std::move(message)});
  }

  std::size_t Comment(std::size_t open) {
    const std::size_t close = text_.find("#}", open + 2);
    if (close == std::string_view::npos) {
      Report(LineOf(open), "{# is never closed (expected #})");
      return text_.size();
    }
    return close + 2;
  }

  // The offset of `close` after `from`, skipping quoted strings; npos when absent.
  std::size_t FindClose(std::size_t from, std::string_view close) const {
    for (std::size_t i = from; i < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '"' || c == '\'') {
        std::size_t j = i + 1;
        while (j < text_.size() && text_[j] != c) j += text_[j] == '\\' ? 2 : 1;
        if (j >= text_.size()) return std::string_view::npos;
        i = j;
        continue;
      }
      if (text_.compare(i, close.size(), close) == 0) return i;
    }
    return std::string_view::npos;
  }

  std::size_t Delimited(std::size_t open, std::string_view close, std::string_view opener) {
    const std::size_t end = FindClose(open + 2, close);
    if (end == std::string_view::npos) {
      Report(LineOf(open), std::string(opener) + " is never closed (expected " +
                               std::string(close) + ", or a string in it is unterminated)");
      return text_.size();
    }
    std::string_view inner = text_.substr(open + 2, end - open - 2);
    if (OpensAnother(inner)) {
      Report(LineOf(open), std::string(opener) + " is not closed before the next {{ or {%");
      return open + 2;
    }
    if (!inner.empty() && (inner.front() == '-' || inner.front() == '+')) inner.remove_prefix(1);
    if (!inner.empty() && inner.back() == '-') inner.remove_suffix(1);
    if (std::all_of(inner.begin(), inner.end(), IsSpace)) {
      Report(LineOf(open), std::string(opener) + " " + std::string(close) + " is empty");
    }
    return end + close.size();
  }

  std::size_t Tag(std::size_t open) {
    const std::size_t end = FindClose(open + 2, "%}");
    const std::size_t line = LineOf(open);
    if (end == std::string_view::npos) {
      Report(line, "{% is never closed (expected %}, or a string in it is unterminated)");
      return text_.size();
    }
    std::string_view inner = text_.substr(open + 2, end - open - 2);
    if (OpensAnother(inner)) {
      Report(line, "{% is not closed before the next {{ or {%");
      return open + 2;
    }
    if (!inner.empty() && (inner.front() == '-' || inner.front() == '+')) inner.remove_prefix(1);
    while (!inner.empty() && IsSpace(inner.front())) inner.remove_prefix(1);
    std::size_t n = 0;
    while (n < inner.size() && IsWordChar(inner[n])) ++n;
    const std::string name(inner.substr(0, n));
    const std::string_view rest = inner.substr(n);
    if (name.empty()) {
      Report(line, "a {% %} tag without a tag name");
      return end + 2;
    }
    if (name == "raw") return Raw(end + 2, line);
    if (name == "set") {
      // `{% set x = ... %}` is a statement; `{% set x %}...{% endset %}` a block.
      if (Assigns(rest)) return end + 2;
    }
    if (std::find(kBlockTags.begin(), kBlockTags.end(), name) != kBlockTags.end()) {
      stack_.push_back({name, line});
    } else if (name == "elif" || name == "else") {
      Open* block = stack_.empty() ? nullptr : &stack_.back();
      const bool fits =
          block != nullptr && (block->tag == "if" || (name == "else" && block->tag == "for"));
      if (!fits) {
        Report(line, "{% " + name + " %} outside an {% if %}" +
                         std::string(name == "else" ? " or {% for %}" : ""));
      } else if (block->else_seen) {
        Report(line, "{% " + name + " %} after the {% else %} of the {% " + block->tag +
                         " %} opened at line " + std::to_string(block->line));
      } else if (name == "else") {
        block->else_seen = true;
      }
    } else if (name == "pluralize") {
      if (stack_.empty() || stack_.back().tag != "trans") {
        Report(line, "{% pluralize %} outside a {% trans %}");
      }
    } else if (name.rfind("end", 0) == 0 && name.size() > 3) {
      const std::string closes = name.substr(3);
      if (stack_.empty()) {
        Report(line, "{% " + name + " %} without an opening {% " + closes + " %}");
      } else if (stack_.back().tag != closes) {
        Report(line, "{% " + name + " %} closes {% " + stack_.back().tag + " %} opened at line " +
                         std::to_string(stack_.back().line) + " (expected {% end" +
                         stack_.back().tag + " %})");
        // Recover as Jinja2's reader would see it: drop the innermost block when the end tag
        // matches an outer one, else ignore the stray end tag.
        const auto match = std::find_if(stack_.rbegin(), stack_.rend(),
                                        [&closes](const Open& o) { return o.tag == closes; });
        if (match != stack_.rend()) stack_.erase(std::next(match).base(), stack_.end());
      } else {
        stack_.pop_back();
      }
    } else if (std::find(kSimpleTags.begin(), kSimpleTags.end(), name) == kSimpleTags.end()) {
      Report(line, "unknown tag {% " + name + " %}");
    }
    return end + 2;
  }

  // Skips to the matching {% endraw %}.
  std::size_t Raw(std::size_t from, std::size_t line) {
    for (std::size_t at = text_.find("{%", from); at != std::string_view::npos;
         at = text_.find("{%", at + 2)) {
      std::size_t i = at + 2;
      if (i < text_.size() && (text_[i] == '-' || text_[i] == '+')) ++i;
      while (i < text_.size() && IsSpace(text_[i])) ++i;
      if (text_.compare(i, 6, "endraw") == 0) {
        const std::size_t end = text_.find("%}", i);
        if (end != std::string_view::npos) return end + 2;
      }
    }
    Report(line, "{% raw %} is never closed (expected {% endraw %})");
    return text_.size();
  }

  std::string_view text_;
  std::string_view file_;
  std::vector<Open> stack_;
  std::vector<Problem> problems_;
  std::size_t counted_ = 0;  // LineOf's cursor: text before it has `line_ - 1` newlines
  std::size_t line_ = 1;
};

}  // namespace

std::vector<Problem> CheckTemplate(std::string_view text, std::string_view file_name) {
  return Checker(text, file_name).Run();
}

}  // namespace styrmin::driver
