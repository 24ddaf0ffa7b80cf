#include "styrmin/graphql/print_schema.h"

#include <cstdio>
#include <vector>

#include "styrmin/graphql/introspection.h"

namespace styrmin::graphql {
namespace {

// Lengths graphql-js compares are in UTF-16 code units.
std::size_t Utf16Length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;
    n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string Indent(const std::string& text) {
  std::string out = "  ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

bool IsWhiteSpace(char c) { return c == ' ' || c == '\t'; }

std::string Description(const std::optional<std::string>& description,
                        const std::string& indentation = "", bool first_in_block = true) {
  if (!description) return "";
  const std::string printed = IsPrintableAsBlockString(*description)
                                  ? PrintBlockString(*description)
                                  : PrintString(*description);
  const std::string prefix =
      !indentation.empty() && !first_in_block ? "\n" + indentation : indentation;
  return prefix + ReplaceAll(printed, "\n", "\n" + indentation) + "\n";
}

std::string Deprecated(const std::optional<std::string>& reason) {
  if (!reason) return "";
  if (*reason == "No longer supported") return " @deprecated";
  return " @deprecated(reason: " + PrintString(*reason) + ")";
}

std::string InputValueText(const InputValue& v) {
  std::string out = v.name + ": " + v.type.ToString();
  if (v.default_value) out += " = " + PrintValue(*v.default_value);
  return out + Deprecated(v.deprecation_reason);
}

std::string Args(const std::vector<InputValue>& args, const std::string& indentation = "") {
  if (args.empty()) return "";
  bool any_description = false;
  for (const auto& a : args) any_description |= a.description.has_value();
  if (!any_description) {
    std::vector<std::string> parts;
    parts.reserve(args.size());
    for (const auto& a : args) parts.push_back(InputValueText(a));
    return "(" + Join(parts, ", ") + ")";
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string line = Description(args[i].description, "  " + indentation, i == 0);
    line += "  ";
    line += indentation;
    line += InputValueText(args[i]);
    lines.push_back(std::move(line));
  }
  return "(\n" + Join(lines, "\n") + "\n" + indentation + ")";
}

std::string Block(const std::vector<std::string>& items) {
  return items.empty() ? "" : " {\n" + Join(items, "\n") + "\n}";
}

std::string Interfaces(const NamedType& t) {
  if (t.interfaces.empty()) return "";
  std::vector<std::string> names;
  for (const auto* i : t.interfaces) names.push_back(i->name);
  return " implements " + Join(names, " & ");
}

std::string Fields(const NamedType& t) {
  std::vector<std::string> items;
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    const Field& f = t.fields[i];
    items.push_back(Description(f.description, "  ", i == 0) + "  " + f.name +
                    Args(f.arguments, "  ") + ": " + f.type.ToString() +
                    Deprecated(f.deprecation_reason));
  }
  return Block(items);
}

std::string TypeText(const NamedType& t) {
  const std::string description = Description(t.description);
  switch (t.kind) {
    case TypeKind::kScalar:
      return description + "scalar " + t.name +
             (t.specified_by_url ? " @specifiedBy(url: " + PrintString(*t.specified_by_url) + ")"
                                 : "");
    case TypeKind::kObject:
      return description + "type " + t.name + Interfaces(t) + Fields(t);
    case TypeKind::kInterface:
      return description + "interface " + t.name + Interfaces(t) + Fields(t);
    case TypeKind::kUnion: {
      std::vector<std::string> names;
      for (const auto* m : t.members) names.push_back(m->name);
      return description + "union " + t.name + (names.empty() ? "" : " = " + Join(names, " | "));
    }
    case TypeKind::kEnum: {
      std::vector<std::string> items;
      for (std::size_t i = 0; i < t.enum_values.size(); ++i) {
        const EnumValue& v = t.enum_values[i];
        items.push_back(Description(v.description, "  ", i == 0) + "  " + v.name +
                        Deprecated(v.deprecation_reason));
      }
      return description + "enum " + t.name + Block(items);
    }
    case TypeKind::kInputObject: {
      std::vector<std::string> items;
      for (std::size_t i = 0; i < t.input_fields.size(); ++i) {
        items.push_back(Description(t.input_fields[i].description, "  ", i == 0) + "  " +
                        InputValueText(t.input_fields[i]));
      }
      return description + "input " + t.name + (t.one_of ? " @oneOf" : "") + Block(items);
    }
  }
  return "";
}

std::string DirectiveText(const DirectiveDefinition& d) {
  return Description(d.description) + "directive @" + d.name + Args(d.arguments) +
         Deprecated(d.deprecation_reason) + (d.repeatable ? " repeatable" : "") + " on " +
         Join(d.locations, " | ");
}

std::string SchemaDefinitionText(const Schema& schema) {
  const NamedType* q = schema.query_type();
  const NamedType* m = schema.mutation_type();
  const NamedType* s = schema.subscription_type();
  if (q == nullptr && m == nullptr && s == nullptr) return "";
  const bool default_roots = q == schema.FindType("Query") && m == schema.FindType("Mutation") &&
                             s == schema.FindType("Subscription");
  if (!schema.description() && default_roots) return "";
  return Description(schema.description()) + "schema {\n" +
         (q ? "  query: " + q->name + "\n" : "") + (m ? "  mutation: " + m->name + "\n" : "") +
         (s ? "  subscription: " + s->name + "\n" : "") + "}";
}

}  // namespace

std::string PrintString(std::string_view value) {
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\r':
        out += "\\r";
        continue;
      default:
        break;
    }
    char buffer[8];
    if (c < 0x20 || c == 0x7F) {
      std::snprintf(buffer, sizeof buffer, "\\u%04X", c);
      out += buffer;
    } else if (c == 0xC2 && i + 1 < value.size() &&
               static_cast<unsigned char>(value[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(value[i + 1]) <= 0x9F) {
      // U+0080..U+009F, the C1 controls, are escaped too.
      std::snprintf(buffer, sizeof buffer, "\\u%04X", static_cast<unsigned char>(value[i + 1]));
      out += buffer;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool IsPrintableAsBlockString(std::string_view value) {
  if (value.empty()) return true;
  bool is_empty_line = true;
  bool has_indent = false;
  bool has_common_indent = true;
  bool seen_non_empty_line = false;
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case 0x00:
      case 0x01:
      case 0x02:
      case 0x03:
      case 0x04:
      case 0x05:
      case 0x06:
      case 0x07:
      case 0x08:
      case 0x0B:
      case 0x0C:
      case 0x0E:
      case 0x0F:
      case 0x0D:
        return false;
      case '\n':
        if (is_empty_line && !seen_non_empty_line) return false;
        seen_non_empty_line = true;
        is_empty_line = true;
        has_indent = false;
        break;
      case '\t':
      case ' ':
        has_indent = has_indent || is_empty_line;
        break;
      default:
        has_common_indent = has_common_indent && has_indent;
        is_empty_line = false;
    }
  }
  if (is_empty_line) return false;
  if (has_common_indent && seen_non_empty_line) return false;
  return true;
}

std::string PrintBlockString(std::string_view value) {
  const std::string escaped = ReplaceAll(std::string(value), "\"\"\"", "\\\"\"\"");
  std::vector<std::string> lines;
  {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= escaped.size(); ++i) {
      if (i == escaped.size() || escaped[i] == '\n' || escaped[i] == '\r') {
        lines.push_back(escaped.substr(start, i - start));
        if (i < escaped.size() && escaped[i] == '\r' && i + 1 < escaped.size() &&
            escaped[i + 1] == '\n') {
          ++i;
        }
        start = i + 1;
      }
    }
  }
  const bool single_line = lines.size() == 1;
  bool force_leading_newline = lines.size() > 1;
  for (std::size_t i = 1; i < lines.size() && force_leading_newline; ++i) {
    force_leading_newline = lines[i].empty() || IsWhiteSpace(lines[i][0]);
  }
  const bool trailing_triple_quotes = escaped.ends_with("\\\"\"\"");
  const bool trailing_quote = value.ends_with('"') && !trailing_triple_quotes;
  const bool trailing_slash = value.ends_with('\\');
  const bool force_trailing_newline = trailing_quote || trailing_slash;
  const bool multiple_lines = !single_line || Utf16Length(value) > 70 || force_trailing_newline ||
                              force_leading_newline || trailing_triple_quotes;
  std::string result;
  const bool skip_leading_newline = single_line && !value.empty() && IsWhiteSpace(value[0]);
  if ((multiple_lines && !skip_leading_newline) || force_leading_newline) result += '\n';
  result += escaped;
  if (multiple_lines || force_trailing_newline) result += '\n';
  return "\"\"\"" + result + "\"\"\"";
}

std::string PrintValue(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kVariable:
      return "$" + v.text;
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
    case Value::Kind::kEnum:
      return v.text;
    case Value::Kind::kString:
      return v.block ? PrintBlockString(v.text) : PrintString(v.text);
    case Value::Kind::kBoolean:
      return v.boolean ? "true" : "false";
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kList: {
      std::vector<std::string> parts;
      for (const auto& item : v.list) parts.push_back(PrintValue(item));
      const std::string joined = Join(parts, ", ");
      if (2 + Utf16Length(joined) > 80) return "[\n" + Indent(Join(parts, "\n")) + "\n]";
      return "[" + joined + "]";
    }
    case Value::Kind::kObject: {
      std::vector<std::string> parts;
      for (const auto& f : v.fields) parts.push_back(f.name.value + ": " + PrintValue(f.value));
      const std::string joined = Join(parts, ", ");
      if (4 + Utf16Length(joined) > 80) return "{\n" + Indent(Join(parts, "\n")) + "\n}";
      return "{ " + joined + " }";
    }
  }
  return "";
}

std::string PrintSchema(const Schema& schema) {
  std::vector<std::string> parts;
  if (std::string s = SchemaDefinitionText(schema); !s.empty()) parts.push_back(std::move(s));
  for (const auto& d : schema.directives()) {
    if (!IsSpecifiedDirective(d.name)) parts.push_back(DirectiveText(d));
  }
  for (const NamedType* t : schema.types()) {
    if (!IsSpecifiedScalar(t->name) && !IsIntrospectionTypeName(t->name)) {
      parts.push_back(TypeText(*t));
    }
  }
  return Join(parts, "\n\n");
}

std::string PrintIntrospectionSchema(const Schema& schema) {
  std::vector<std::string> parts;
  for (const auto& d : schema.directives()) {
    if (IsSpecifiedDirective(d.name)) parts.push_back(DirectiveText(d));
  }
  for (const NamedType* t : schema.types()) {
    if (IsIntrospectionTypeName(t->name)) parts.push_back(TypeText(*t));
  }
  return Join(parts, "\n\n");
}

}  // namespace styrmin::graphql
