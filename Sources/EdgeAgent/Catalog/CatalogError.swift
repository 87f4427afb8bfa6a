/// A catalog that cannot be used; each case names the file, the line (1-based, 0 when the parser gives none) and the entry,
/// as `device 'kitchen_light'` or `devices[3]` when the entry has no id yet.
public enum CatalogError: Error, CustomStringConvertible, Equatable {
    case syntax(file: String, line: Int, problem: String)
    case missingKey(file: String, line: Int, entry: String, key: String)
    case unknownKey(file: String, line: Int, entry: String, key: String)
    case badValue(file: String, line: Int, entry: String, key: String, value: String, reason: String)
    case duplicateID(file: String, line: Int, entry: String, firstLine: Int)
    case unknownReference(file: String, line: Int, entry: String, key: String, id: String)
    case unknownType(file: String, line: Int, entry: String, type: String)
    case capabilityNotAllowed(file: String, line: Int, entry: String, type: String, capability: String)
    case badRange(file: String, line: Int, entry: String, capability: String, min: Double, max: Double)
    case emptyName(file: String, line: Int, entry: String)
    case ambiguousAlias(file: String, line: Int, entry: String, alias: String, other: String, area: String)
    case ambiguousName(file: String, line: Int, entry: String, name: String, other: String)

    public var description: String {
        switch self {
        case .syntax(let file, let line, let problem): "\(file):\(line): not YAML: \(problem)"
        case .missingKey(let file, let line, let entry, let key):
            "\(file):\(line): \(entry): the key '\(key)' is missing"
        case .unknownKey(let file, let line, let entry, let key): "\(file):\(line): \(entry): unknown key '\(key)'"
        case .badValue(let file, let line, let entry, let key, let value, let reason):
            "\(file):\(line): \(entry): '\(key)' is '\(value)': \(reason)"
        case .duplicateID(let file, let line, let entry, let firstLine):
            "\(file):\(line): \(entry): the id is already used on line \(firstLine)"
        case .unknownReference(let file, let line, let entry, let key, let id):
            "\(file):\(line): \(entry): '\(key)' names '\(id)', which the catalog does not define"
        case .unknownType(let file, let line, let entry, let type):
            "\(file):\(line): \(entry): unknown type '\(type)'; known: "
                + DeviceType.allCases.map(\.rawValue).joined(separator: ", ")
        case .capabilityNotAllowed(let file, let line, let entry, let type, let capability):
            "\(file):\(line): \(entry): a \(type) cannot have the capability '\(capability)'"
        case .badRange(let file, let line, let entry, let capability, let min, let max):
            "\(file):\(line): \(entry): '\(capability)' has min \(JSONValue.format(min)) ≥ max \(JSONValue.format(max))"
        case .emptyName(let file, let line, let entry): "\(file):\(line): \(entry): the name is empty"
        case .ambiguousAlias(let file, let line, let entry, let alias, let other, let area):
            "\(file):\(line): \(entry): the alias '\(alias)' is also a name of '\(other)' in the area '\(area)'"
        case .ambiguousName(let file, let line, let entry, let name, let other):
            "\(file):\(line): \(entry): the name '\(name)' is also a name of '\(other)'"
        }
    }
}
