#include "styrmin/graphql/parser.h"

#include <string>
#include <utility>

namespace styrmin::graphql {
namespace {

// The parser unwinds to Parse() with this on the first syntax error. It never leaves this
// file: recursive descent reads far more plainly without an error check after every call.
struct Failure {
  SyntaxError error;
};

bool IsDirectiveLocation(const std::string& name) {
  static constexpr const char* kLocations[] = {"QUERY",
                                               "MUTATION",
                                               "SUBSCRIPTION",
                                               "FIELD",
                                               "FRAGMENT_DEFINITION",
                                               "FRAGMENT_SPREAD",
                                               "INLINE_FRAGMENT",
                                               "VARIABLE_DEFINITION",
                                               "FRAGMENT_VARIABLE_DEFINITION",
                                               "SCHEMA",
                                               "SCALAR",
                                               "OBJECT",
                                               "FIELD_DEFINITION",
                                               "ARGUMENT_DEFINITION",
                                               "INTERFACE",
                                               "UNION",
                                               "ENUM",
                                               "ENUM_VALUE",
                                               "INPUT_OBJECT",
                                               "INPUT_FIELD_DEFINITION",
                                               "DIRECTIVE_DEFINITION"};
  for (const char* location : kLocations) {
    if (name == location) return true;
  }
  return false;
}

class Parser {
 public:
  Parser(const Source& source, const ParseOptions& options) : lexer_(source), options_(options) {}

  Document ParseDocument() {
    Advance();  // <SOF> -> first token
    Document document;
    do {
      document.definitions.push_back(ParseDefinition());
    } while (!ExpectOptional(TokenKind::kEof));
    return document;
  }

 private:
  // --- token handling -------------------------------------------------------------------

  [[noreturn]] void Fail(std::size_t offset, std::string message) {
    throw Failure{SyntaxError{std::move(message), offset}};
  }
  [[noreturn]] void Unexpected(const Token& token) {
    Fail(token.start, "Unexpected " + TokenDescription(token) + ".");
  }
  [[noreturn]] void Unexpected() { Unexpected(token_); }

  Token LexOne() {
    auto next = lexer_.Next();
    if (!next) throw Failure{next.error()};
    return std::move(next).value();
  }

  void Advance() {
    if (lookahead_) {
      token_ = std::move(*lookahead_);
      lookahead_.reset();
    } else {
      auto next = lexer_.Next();  // moved once, into token_: most tokens take this way
      if (!next) throw Failure{std::move(next.error())};
      token_ = std::move(*next);
    }
    if (token_.kind != TokenKind::kEof && options_.max_tokens != 0 &&
        ++token_count_ > options_.max_tokens) {
      Fail(token_.start, "Document contains more than " + std::to_string(options_.max_tokens) +
                             " tokens. Parsing aborted.");
    }
  }

  const Token& Lookahead() {
    if (!lookahead_) lookahead_ = LexOne();
    return *lookahead_;
  }

  bool Peek(TokenKind kind) const { return token_.kind == kind; }

  [[noreturn]] void ExpectedInstead(TokenKind kind) {
    Fail(token_.start,
         "Expected " + TokenKindDescription(kind) + ", found " + TokenDescription(token_) + ".");
  }

  Token Expect(TokenKind kind) {
    if (token_.kind != kind) ExpectedInstead(kind);
    Token t = std::move(token_);
    Advance();
    return t;
  }

  bool ExpectOptional(TokenKind kind) {
    if (token_.kind != kind) return false;
    Advance();
    return true;
  }

  void ExpectKeyword(const char* keyword) {
    if (token_.kind != TokenKind::kName || token_.value != keyword) {
      Fail(token_.start,
           std::string("Expected \"") + keyword + "\", found " + TokenDescription(token_) + ".");
    }
    Advance();
  }

  bool ExpectOptionalKeyword(const char* keyword) {
    if (token_.kind != TokenKind::kName || token_.value != keyword) return false;
    Advance();
    return true;
  }

  // Bounds recursion; every recursive production holds one while it runs.
  class DepthGuard {
   public:
    DepthGuard(Parser& parser) : parser_(parser) {
      if (++parser_.depth_ > parser_.options_.max_depth) {
        parser_.Fail(parser_.token_.start, "Document is nested deeper than " +
                                               std::to_string(parser_.options_.max_depth) +
                                               " levels. Parsing aborted.");
      }
    }
    ~DepthGuard() { --parser_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& parser_;
  };

  // --- shared productions ---------------------------------------------------------------

  Name ParseName() {
    if (token_.kind != TokenKind::kName) ExpectedInstead(TokenKind::kName);
    Name name{std::move(token_.value), token_.start};
    Advance();
    return name;
  }

  bool PeekDescription() const { return Peek(TokenKind::kString) || Peek(TokenKind::kBlockString); }

  std::optional<StringValue> ParseDescription() {
    if (!PeekDescription()) return std::nullopt;
    StringValue s{token_.value, token_.kind == TokenKind::kBlockString, token_.start};
    Advance();
    return s;
  }

  OperationType ParseOperationType() {
    const Token t = Expect(TokenKind::kName);
    if (t.value == "query") return OperationType::kQuery;
    if (t.value == "mutation") return OperationType::kMutation;
    if (t.value == "subscription") return OperationType::kSubscription;
    Unexpected(t);
  }

  Value ParseValue(bool is_const) {
    Value v;
    v.offset = token_.start;
    switch (token_.kind) {
      case TokenKind::kBracketL: {
        DepthGuard guard(*this);
        v.kind = Value::Kind::kList;
        Advance();
        while (!ExpectOptional(TokenKind::kBracketR)) v.list.push_back(ParseValue(is_const));
        return v;
      }
      case TokenKind::kBraceL: {
        DepthGuard guard(*this);
        v.kind = Value::Kind::kObject;
        Advance();
        while (!ExpectOptional(TokenKind::kBraceR)) {
          ObjectField field;
          field.offset = token_.start;
          field.name = ParseName();
          Expect(TokenKind::kColon);
          field.value = ParseValue(is_const);
          v.fields.push_back(std::move(field));
        }
        return v;
      }
      case TokenKind::kInt:
      case TokenKind::kFloat:
        v.kind = token_.kind == TokenKind::kInt ? Value::Kind::kInt : Value::Kind::kFloat;
        v.text = token_.value;
        Advance();
        return v;
      case TokenKind::kString:
      case TokenKind::kBlockString:
        v.kind = Value::Kind::kString;
        v.block = token_.kind == TokenKind::kBlockString;
        v.text = token_.value;
        Advance();
        return v;
      case TokenKind::kName:
        if (token_.value == "true" || token_.value == "false") {
          v.kind = Value::Kind::kBoolean;
          v.boolean = token_.value == "true";
        } else if (token_.value == "null") {
          v.kind = Value::Kind::kNull;
        } else {
          v.kind = Value::Kind::kEnum;
          v.text = token_.value;
        }
        Advance();
        return v;
      case TokenKind::kDollar:
        if (is_const) {
          const Token dollar = token_;
          Advance();
          if (Peek(TokenKind::kName)) {
            Fail(dollar.start, "Unexpected variable \"$" + token_.value + "\" in constant value.");
          }
          Unexpected(dollar);
        }
        Advance();
        v.kind = Value::Kind::kVariable;
        v.text = ParseName().value;
        return v;
      default:
        Unexpected();
    }
  }

  std::vector<Argument> ParseArguments(bool is_const) {
    std::vector<Argument> out;
    if (!ExpectOptional(TokenKind::kParenL)) return out;
    do {
      Argument a;
      a.offset = token_.start;
      a.name = ParseName();
      Expect(TokenKind::kColon);
      a.value = ParseValue(is_const);
      out.push_back(std::move(a));
    } while (!ExpectOptional(TokenKind::kParenR));
    return out;
  }

  std::vector<Directive> ParseDirectives(bool is_const) {
    std::vector<Directive> out;
    while (Peek(TokenKind::kAt)) {
      Directive d;
      d.offset = token_.start;
      Advance();
      d.name = ParseName();
      d.arguments = ParseArguments(is_const);
      out.push_back(std::move(d));
    }
    return out;
  }

  TypeRef ParseTypeRef() {
    DepthGuard guard(*this);
    TypeRef type;
    type.offset = token_.start;
    if (ExpectOptional(TokenKind::kBracketL)) {
      type.kind = TypeRef::Kind::kList;
      type.of = std::make_unique<TypeRef>(ParseTypeRef());
      Expect(TokenKind::kBracketR);
    } else {
      type.kind = TypeRef::Kind::kNamed;
      type.name = ParseName();
    }
    if (ExpectOptional(TokenKind::kBang)) {
      TypeRef non_null;
      non_null.kind = TypeRef::Kind::kNonNull;
      non_null.offset = type.offset;
      non_null.of = std::make_unique<TypeRef>(std::move(type));
      return non_null;
    }
    return type;
  }

  // --- executable definitions -----------------------------------------------------------

  std::vector<Selection> ParseSelectionSet(std::size_t& offset) {
    DepthGuard guard(*this);
    offset = token_.start;
    Expect(TokenKind::kBraceL);
    std::vector<Selection> out;
    while (!ExpectOptional(TokenKind::kBraceR)) out.push_back(ParseSelection());
    return out;
  }

  Selection ParseSelection() {
    Selection s;
    s.offset = token_.start;
    if (ExpectOptional(TokenKind::kSpread)) {
      const bool has_type_condition = ExpectOptionalKeyword("on");
      if (!has_type_condition && Peek(TokenKind::kName)) {
        s.kind = Selection::Kind::kFragmentSpread;
        s.name = ParseFragmentName();
        s.directives = ParseDirectives(false);
        return s;
      }
      s.kind = Selection::Kind::kInlineFragment;
      if (has_type_condition) s.type_condition = ParseName();
      s.directives = ParseDirectives(false);
      s.has_selection_set = true;
      s.selections = ParseSelectionSet(s.selection_set_offset);
      return s;
    }
    s.kind = Selection::Kind::kField;
    Name first = ParseName();
    if (ExpectOptional(TokenKind::kColon)) {
      s.alias = std::move(first);
      s.name = ParseName();
    } else {
      s.name = std::move(first);
    }
    s.arguments = ParseArguments(false);
    s.directives = ParseDirectives(false);
    if (Peek(TokenKind::kBraceL)) {
      s.has_selection_set = true;
      s.selections = ParseSelectionSet(s.selection_set_offset);
    }
    return s;
  }

  Name ParseFragmentName() {
    if (token_.kind == TokenKind::kName && token_.value == "on") Unexpected();
    return ParseName();
  }

  OperationDefinition ParseOperationDefinition() {
    OperationDefinition op;
    op.offset = token_.start;
    if (Peek(TokenKind::kBraceL)) {
      op.shorthand = true;
      op.selections = ParseSelectionSet(op.selection_set_offset);
      return op;
    }
    op.description = ParseDescription();
    op.operation = ParseOperationType();
    if (Peek(TokenKind::kName)) op.name = ParseName();
    if (ExpectOptional(TokenKind::kParenL)) {
      do {
        VariableDefinition v;
        v.offset = token_.start;
        v.description = ParseDescription();
        v.variable.offset = token_.start;
        Expect(TokenKind::kDollar);
        v.variable.value = ParseName().value;
        Expect(TokenKind::kColon);
        v.type = ParseTypeRef();
        if (ExpectOptional(TokenKind::kEquals)) v.default_value = ParseValue(true);
        v.directives = ParseDirectives(true);
        op.variables.push_back(std::move(v));
      } while (!ExpectOptional(TokenKind::kParenR));
    }
    op.directives = ParseDirectives(false);
    op.selections = ParseSelectionSet(op.selection_set_offset);
    return op;
  }

  FragmentDefinition ParseFragmentDefinition() {
    FragmentDefinition f;
    f.offset = token_.start;
    f.description = ParseDescription();
    ExpectKeyword("fragment");
    f.name = ParseFragmentName();
    ExpectKeyword("on");
    f.type_condition = ParseName();
    f.directives = ParseDirectives(false);
    f.selections = ParseSelectionSet(f.selection_set_offset);
    return f;
  }

  // --- type system ----------------------------------------------------------------------

  InputValueDefinition ParseInputValueDefinition() {
    InputValueDefinition v;
    v.offset = token_.start;
    v.description = ParseDescription();
    v.name = ParseName();
    Expect(TokenKind::kColon);
    v.type = ParseTypeRef();
    if (ExpectOptional(TokenKind::kEquals)) v.default_value = ParseValue(true);
    v.directives = ParseDirectives(true);
    return v;
  }

  std::vector<InputValueDefinition> ParseInputValueDefinitions(TokenKind open, TokenKind close) {
    std::vector<InputValueDefinition> out;
    if (!ExpectOptional(open)) return out;
    do {
      out.push_back(ParseInputValueDefinition());
    } while (!ExpectOptional(close));
    return out;
  }

  std::vector<Name> ParseImplementsInterfaces() {
    std::vector<Name> out;
    if (!ExpectOptionalKeyword("implements")) return out;
    ExpectOptional(TokenKind::kAmp);
    do {
      out.push_back(ParseName());
    } while (ExpectOptional(TokenKind::kAmp));
    return out;
  }

  std::vector<FieldDefinition> ParseFieldsDefinition() {
    std::vector<FieldDefinition> out;
    if (!ExpectOptional(TokenKind::kBraceL)) return out;
    do {
      FieldDefinition f;
      f.offset = token_.start;
      f.description = ParseDescription();
      f.name = ParseName();
      f.arguments = ParseInputValueDefinitions(TokenKind::kParenL, TokenKind::kParenR);
      Expect(TokenKind::kColon);
      f.type = ParseTypeRef();
      f.directives = ParseDirectives(true);
      out.push_back(std::move(f));
    } while (!ExpectOptional(TokenKind::kBraceR));
    return out;
  }

  std::vector<Name> ParseUnionMembers() {
    std::vector<Name> out;
    if (!ExpectOptional(TokenKind::kEquals)) return out;
    ExpectOptional(TokenKind::kPipe);
    do {
      out.push_back(ParseName());
    } while (ExpectOptional(TokenKind::kPipe));
    return out;
  }

  std::vector<EnumValueDefinition> ParseEnumValues() {
    std::vector<EnumValueDefinition> out;
    if (!ExpectOptional(TokenKind::kBraceL)) return out;
    do {
      EnumValueDefinition v;
      v.offset = token_.start;
      v.description = ParseDescription();
      if (token_.value == "true" || token_.value == "false" || token_.value == "null") {
        Fail(token_.start,
             TokenDescription(token_) + " is reserved and cannot be used for an enum value.");
      }
      v.name = ParseName();
      v.directives = ParseDirectives(true);
      out.push_back(std::move(v));
    } while (!ExpectOptional(TokenKind::kBraceR));
    return out;
  }

  std::vector<OperationTypeDefinition> ParseOperationTypes(bool required) {
    std::vector<OperationTypeDefinition> out;
    if (required) {
      Expect(TokenKind::kBraceL);
    } else if (!ExpectOptional(TokenKind::kBraceL)) {
      return out;
    }
    do {
      OperationTypeDefinition d;
      d.offset = token_.start;
      d.operation = ParseOperationType();
      Expect(TokenKind::kColon);
      d.type = ParseName();
      out.push_back(std::move(d));
    } while (!ExpectOptional(TokenKind::kBraceR));
    return out;
  }

  TypeSystemDefinition ParseTypeSystemDefinition(TypeSystemDefinition::Kind kind) {
    using Kind = TypeSystemDefinition::Kind;
    TypeSystemDefinition d;
    d.kind = kind;
    d.offset = token_.start;
    d.description = ParseDescription();
    switch (kind) {
      case Kind::kSchema:
        ExpectKeyword("schema");
        d.directives = ParseDirectives(true);
        d.operation_types = ParseOperationTypes(true);
        break;
      case Kind::kScalar:
        ExpectKeyword("scalar");
        d.name = ParseName();
        d.directives = ParseDirectives(true);
        break;
      case Kind::kObject:
      case Kind::kInterface:
        ExpectKeyword(kind == Kind::kObject ? "type" : "interface");
        d.name = ParseName();
        d.interfaces = ParseImplementsInterfaces();
        d.directives = ParseDirectives(true);
        d.fields = ParseFieldsDefinition();
        break;
      case Kind::kUnion:
        ExpectKeyword("union");
        d.name = ParseName();
        d.directives = ParseDirectives(true);
        d.union_members = ParseUnionMembers();
        break;
      case Kind::kEnum:
        ExpectKeyword("enum");
        d.name = ParseName();
        d.directives = ParseDirectives(true);
        d.enum_values = ParseEnumValues();
        break;
      case Kind::kInputObject:
        ExpectKeyword("input");
        d.name = ParseName();
        d.directives = ParseDirectives(true);
        d.input_fields = ParseInputValueDefinitions(TokenKind::kBraceL, TokenKind::kBraceR);
        break;
      case Kind::kDirective: {
        ExpectKeyword("directive");
        Expect(TokenKind::kAt);
        d.name = ParseName();
        d.input_fields = ParseInputValueDefinitions(TokenKind::kParenL, TokenKind::kParenR);
        d.directives = ParseDirectives(true);
        d.repeatable = ExpectOptionalKeyword("repeatable");
        ExpectKeyword("on");
        ExpectOptional(TokenKind::kPipe);
        do {
          const Token start = token_;
          Name location = ParseName();
          if (!IsDirectiveLocation(location.value)) Unexpected(start);
          d.locations.push_back(std::move(location));
        } while (ExpectOptional(TokenKind::kPipe));
        break;
      }
    }
    return d;
  }

  TypeSystemDefinition ParseTypeSystemExtension() {
    using Kind = TypeSystemDefinition::Kind;
    const Token keyword = Lookahead();
    TypeSystemDefinition d;
    d.extension = true;
    d.offset = token_.start;
    if (keyword.kind != TokenKind::kName) Unexpected(keyword);
    ExpectKeyword("extend");
    const std::string& k = keyword.value;
    if (k == "schema") {
      Advance();
      d.kind = Kind::kSchema;
      d.directives = ParseDirectives(true);
      d.operation_types = ParseOperationTypes(false);
      if (d.directives.empty() && d.operation_types.empty()) Unexpected();
    } else if (k == "scalar") {
      Advance();
      d.kind = Kind::kScalar;
      d.name = ParseName();
      d.directives = ParseDirectives(true);
      if (d.directives.empty()) Unexpected();
    } else if (k == "type" || k == "interface") {
      Advance();
      d.kind = k == "type" ? Kind::kObject : Kind::kInterface;
      d.name = ParseName();
      d.interfaces = ParseImplementsInterfaces();
      d.directives = ParseDirectives(true);
      d.fields = ParseFieldsDefinition();
      if (d.interfaces.empty() && d.directives.empty() && d.fields.empty()) Unexpected();
    } else if (k == "union") {
      Advance();
      d.kind = Kind::kUnion;
      d.name = ParseName();
      d.directives = ParseDirectives(true);
      d.union_members = ParseUnionMembers();
      if (d.directives.empty() && d.union_members.empty()) Unexpected();
    } else if (k == "enum") {
      Advance();
      d.kind = Kind::kEnum;
      d.name = ParseName();
      d.directives = ParseDirectives(true);
      d.enum_values = ParseEnumValues();
      if (d.directives.empty() && d.enum_values.empty()) Unexpected();
    } else if (k == "input") {
      Advance();
      d.kind = Kind::kInputObject;
      d.name = ParseName();
      d.directives = ParseDirectives(true);
      d.input_fields = ParseInputValueDefinitions(TokenKind::kBraceL, TokenKind::kBraceR);
      if (d.directives.empty() && d.input_fields.empty()) Unexpected();
    } else if (k == "directive") {
      Advance();
      d.kind = Kind::kDirective;
      Expect(TokenKind::kAt);
      d.name = ParseName();
      d.directives = ParseDirectives(true);
      if (d.directives.empty()) Unexpected();
    } else {
      Unexpected(keyword);
    }
    return d;
  }

  Definition ParseDefinition() {
    using Kind = TypeSystemDefinition::Kind;
    if (Peek(TokenKind::kBraceL)) return ParseOperationDefinition();
    const bool has_description = PeekDescription();
    const Token keyword = has_description ? Lookahead() : token_;
    if (has_description && keyword.kind == TokenKind::kBraceL) {
      Fail(token_.start,
           "Unexpected description, descriptions are not supported on shorthand queries.");
    }
    if (keyword.kind == TokenKind::kName) {
      const std::string& k = keyword.value;
      if (k == "schema") return ParseTypeSystemDefinition(Kind::kSchema);
      if (k == "scalar") return ParseTypeSystemDefinition(Kind::kScalar);
      if (k == "type") return ParseTypeSystemDefinition(Kind::kObject);
      if (k == "interface") return ParseTypeSystemDefinition(Kind::kInterface);
      if (k == "union") return ParseTypeSystemDefinition(Kind::kUnion);
      if (k == "enum") return ParseTypeSystemDefinition(Kind::kEnum);
      if (k == "input") return ParseTypeSystemDefinition(Kind::kInputObject);
      if (k == "directive") return ParseTypeSystemDefinition(Kind::kDirective);
      if (k == "query" || k == "mutation" || k == "subscription") {
        return ParseOperationDefinition();
      }
      if (k == "fragment") return ParseFragmentDefinition();
      if (has_description) {
        Fail(token_.start,
             "Unexpected description, only GraphQL definitions support descriptions.");
      }
      if (k == "extend") return ParseTypeSystemExtension();
    }
    Unexpected(keyword);
  }

  Lexer lexer_;
  const ParseOptions& options_;
  Token token_;
  std::optional<Token> lookahead_;
  std::size_t token_count_ = 0;
  int depth_ = 0;
};

}  // namespace

tl::expected<Document, SyntaxError> Parse(const Source& source, const ParseOptions& options) {
  if (options.max_bytes != 0 && source.body().size() > options.max_bytes) {
    return tl::unexpected(SyntaxError{"Document is " + std::to_string(source.body().size()) +
                                          " bytes long, more than the limit of " +
                                          std::to_string(options.max_bytes) + " bytes.",
                                      0});
  }
  Parser parser(source, options);
  try {
    return parser.ParseDocument();
  } catch (const Failure& failure) {
    return tl::unexpected(failure.error);
  }
}

}  // namespace styrmin::graphql
