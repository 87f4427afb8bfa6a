/// A sampling parameter outside its valid range. `name` is the llama.cpp spelling of the parameter (`top_p`,
/// `repeat_last_n`, ...) so a message can be traced back to the flag or config key that set it.
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidParameter(name: String, value: Double, reason: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return "invalid sampling parameter \(name) = \(value): \(reason)"
        }
    }
}

extension SamplingError {
    static func check(_ condition: Bool, _ name: String, _ value: Double, _ reason: String) throws {
        if !condition { throw SamplingError.invalidParameter(name: name, value: value, reason: reason) }
    }
}
