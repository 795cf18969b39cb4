#include "runtime/gateway/error.h"

namespace fluence::gateway {

const char* code_name(MongoCode code) {
  switch (code) {
    case MongoCode::kInternalError: return "InternalError";
    case MongoCode::kBadValue: return "BadValue";
    case MongoCode::kHostUnreachable: return "HostUnreachable";
    case MongoCode::kFailedToParse: return "FailedToParse";
    case MongoCode::kTypeMismatch: return "TypeMismatch";
    case MongoCode::kAuthenticationFailed: return "AuthenticationFailed";
    case MongoCode::kIllegalOperation: return "IllegalOperation";
    case MongoCode::kInvalidBSON: return "InvalidBSON";
    case MongoCode::kNamespaceNotFound: return "NamespaceNotFound";
    case MongoCode::kPathNotViable: return "PathNotViable";
    case MongoCode::kConflictingUpdateOperators: return "ConflictingUpdateOperators";
    case MongoCode::kCursorNotFound: return "CursorNotFound";
    case MongoCode::kNamespaceExists: return "NamespaceExists";
    case MongoCode::kCommandNotFound: return "CommandNotFound";
    case MongoCode::kImmutableField: return "ImmutableField";
    case MongoCode::kCannotCreateIndex: return "CannotCreateIndex";
    case MongoCode::kInvalidOptions: return "InvalidOptions";
    case MongoCode::kInvalidNamespace: return "InvalidNamespace";
    case MongoCode::kIndexOptionsConflict: return "IndexOptionsConflict";
    case MongoCode::kNetworkTimeout: return "NetworkTimeout";
    case MongoCode::kOperationFailed: return "OperationFailed";
    case MongoCode::kExceededMemoryLimit: return "ExceededMemoryLimit";
    case MongoCode::kUnsupportedOpQueryCommand: return "UnsupportedOpQueryCommand";
    case MongoCode::kBSONObjectTooLarge: return "BSONObjectTooLarge";
    case MongoCode::kUpdatedDocumentTooLarge: return "Location17419";
    case MongoCode::kDuplicateKey: return "DuplicateKey";
    case MongoCode::kUnrecognizedPipelineStage: return "Location40324";
  }
  return "UnknownError";
}

MongoError error_from_status(const Status& status) {
  FL_ASSERT(!status.is_ok());
  switch (status.code()) {
    case ErrorCode::kUnavailable: return {MongoCode::kHostUnreachable, status.to_string()};
    case ErrorCode::kTimeout: return {MongoCode::kNetworkTimeout, status.to_string()};
    case ErrorCode::kNotFound: return {MongoCode::kNamespaceNotFound, status.to_string()};
    case ErrorCode::kInvalidArgument: return {MongoCode::kBadValue, status.to_string()};
    case ErrorCode::kLimitExceeded: return {MongoCode::kExceededMemoryLimit, status.to_string()};
    case ErrorCode::kAuthentication: return {MongoCode::kAuthenticationFailed, status.to_string()};
    default: return {MongoCode::kInternalError, status.to_string()};
  }
}

}  // namespace fluence::gateway
