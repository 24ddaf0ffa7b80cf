#include "styrmin/graphql/ast.h"

namespace styrmin::graphql {

const char* OperationTypeName(OperationType type) {
  switch (type) {
    case OperationType::kQuery:
      return "query";
    case OperationType::kMutation:
      return "mutation";
    case OperationType::kSubscription:
      return "subscription";
  }
  return "query";
}

std::string TypeRefToString(const TypeRef& type) {
  switch (type.kind) {
    case TypeRef::Kind::kNamed:
      return type.name.value;
    case TypeRef::Kind::kList:
      return "[" + TypeRefToString(*type.of) + "]";
    case TypeRef::Kind::kNonNull:
      return TypeRefToString(*type.of) + "!";
  }
  return "";
}

}  // namespace styrmin::graphql
