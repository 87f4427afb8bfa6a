/// A GGUF file (version 2 or 3): its metadata and its tensor table, over a read-only memory map.
///
/// Layout, little-endian: magic "GGUF", version u32, tensor count u64, metadata count u64, the metadata
/// (key string, value type u32, value), the tensor infos (name, dimension count u32, dimensions u64…, type u32,
/// offset u64 relative to the data section), then padding to `general.alignment` (default 32) and the data section.
/// Every read is bounds-checked: a truncated or corrupt file throws a `GGUFError` that names what was being read.
public final class GGUFFile {
    public let map: MemoryMap
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    public let tensors: [String: GGUFTensor]
    /// Tensor names in file order.
    public let tensorNames: [String]
    public let alignment: Int
    public let dataOffset: Int

    public convenience init(path: String) throws {
        try self.init(map: MemoryMap(path: path))
    }

    public init(map: MemoryMap) throws {
        self.map = map
        var reader = GGUFReader(bytes: map.bytes)
        let magic = try reader.read(UInt32.self, "magic")
        guard magic == 0x4655_4747 else { throw GGUFError.notGGUF(path: map.path) }
        version = try reader.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
        let tensorCount = try reader.readCount("tensor count")
        let metadataCount = try reader.readCount("metadata count")

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        keys.reserveCapacity(metadataCount)
        for index in 0..<metadataCount {
            let key = try reader.readString("key of metadata entry \(index)")
            let value = try reader.readValue(key: key)
            guard metadata.updateValue(value, forKey: key) == nil else { throw GGUFError.duplicateKey(key) }
            keys.append(key)
        }
        self.metadata = metadata
        metadataKeys = keys

        var alignment = 32
        if let value = metadata[GGUFKey.alignment] {
            guard let a = value.integer, a > 0, a & (a - 1) == 0 else {
                throw GGUFError.invalidValue(key: GGUFKey.alignment, value: value.description, reason: "not a power of two")
            }
            alignment = a
        }
        self.alignment = alignment

        var infos: [(name: String, dims: [Int], type: UInt32, offset: Int)] = []
        infos.reserveCapacity(tensorCount)
        for index in 0..<tensorCount {
            let name = try reader.readString("name of tensor \(index)")
            let rank = try reader.read(UInt32.self, "rank of tensor '\(name)'")
            guard rank >= 1 && rank <= 4 else { throw GGUFError.badTensorShape(tensor: name, reason: "rank \(rank)") }
            var dims: [Int] = []
            for _ in 0..<rank {
                let d = try reader.read(UInt64.self, "dimensions of tensor '\(name)'")
                guard d > 0 && d < 1 << 40 else { throw GGUFError.badTensorShape(tensor: name, reason: "dimension \(d)") }
                dims.append(Int(d))
            }
            let type = try reader.read(UInt32.self, "type of tensor '\(name)'")
            let offset = try reader.read(UInt64.self, "offset of tensor '\(name)'")
            guard offset < 1 << 48 else { throw GGUFError.tensorOutOfBounds(tensor: name, end: Int.max, fileSize: map.bytes.count) }
            infos.append((name, dims, type, Int(offset)))
        }

        dataOffset = (reader.offset + alignment - 1) / alignment * alignment
        var tensors: [String: GGUFTensor] = [:]
        var names: [String] = []
        for info in infos {
            guard let type = TensorType(rawValue: info.type) else {
                throw GGUFError.unknownTensorType(tensor: info.name, type: info.type)
            }
            guard let rowBytes = type.rowBytes(info.dims[0]) else {
                throw GGUFError.badTensorShape(
                    tensor: info.name, reason: "row of \(info.dims[0]) is not whole \(type.name) blocks")
            }
            // A corrupt shape can ask for more bytes than a machine word holds: check every product.
            var byteCount = rowBytes
            for d in info.dims.dropFirst() {
                let (product, overflow) = byteCount.multipliedReportingOverflow(by: d)
                guard !overflow, product <= map.bytes.count else {
                    throw GGUFError.tensorOutOfBounds(tensor: info.name, end: Int.max, fileSize: map.bytes.count)
                }
                byteCount = product
            }
            guard info.offset % alignment == 0 else {
                throw GGUFError.badTensorShape(tensor: info.name, reason: "offset \(info.offset) is not aligned to \(alignment)")
            }
            let start = dataOffset + info.offset
            guard start + byteCount <= map.bytes.count else {
                throw GGUFError.tensorOutOfBounds(tensor: info.name, end: start + byteCount, fileSize: map.bytes.count)
            }
            let tensor = GGUFTensor(
                name: info.name, type: type, dimensions: info.dims, byteCount: byteCount, rowBytes: rowBytes,
                data: map.bytes.baseAddress! + start)
            guard tensors.updateValue(tensor, forKey: info.name) == nil else {
                throw GGUFError.duplicateTensor(info.name)
            }
            names.append(info.name)
        }
        self.tensors = tensors
        tensorNames = names
    }

    // MARK: typed metadata access

    public func value(_ key: String) throws -> GGUFValue {
        guard let value = metadata[key] else { throw GGUFError.missingKey(key) }
        return value
    }

    public func int(_ key: String) throws -> Int {
        let value = try value(key)
        guard let int = value.integer else { throw GGUFError.wrongType(key: key, expected: "integer", found: value.typeName) }
        return int
    }

    public func optionalInt(_ key: String) throws -> Int? {
        metadata[key] == nil ? nil : try int(key)
    }

    public func float(_ key: String) throws -> Float {
        let value = try value(key)
        guard let float = value.float else { throw GGUFError.wrongType(key: key, expected: "number", found: value.typeName) }
        return float
    }

    public func optionalFloat(_ key: String) throws -> Float? {
        metadata[key] == nil ? nil : try float(key)
    }

    public func string(_ key: String) throws -> String {
        let value = try value(key)
        guard case .string(let s) = value else { throw GGUFError.wrongType(key: key, expected: "string", found: value.typeName) }
        return s
    }

    public func optionalString(_ key: String) throws -> String? {
        metadata[key] == nil ? nil : try string(key)
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let value = metadata[key] else { return nil }
        guard case .bool(let b) = value else { throw GGUFError.wrongType(key: key, expected: "bool", found: value.typeName) }
        return b
    }

    public func strings(_ key: String) throws -> [String] {
        try items(key, expected: "array of strings") { value in
            guard case .string(let s) = value else { return nil }
            return s
        }
    }

    public func numbers(_ key: String) throws -> [Double] {
        try items(key, expected: "array of numbers") { $0.double }
    }

    /// The length of an array value.
    public func arrayCount(_ key: String) throws -> Int {
        switch try value(key) {
        case .array(let items): return items.count
        case .largeArray(let array): return array.count
        case let other: throw GGUFError.wrongType(key: key, expected: "array", found: other.typeName)
        }
    }

    /// The elements of an array value, each converted by `convert` (nil: the element has the wrong type).
    private func items<T>(_ key: String, expected: String, _ convert: (GGUFValue) -> T?) throws -> [T] {
        func element(_ value: GGUFValue) throws -> T {
            guard let converted = convert(value) else {
                throw GGUFError.wrongType(key: key, expected: expected, found: "array of \(value.typeName)")
            }
            return converted
        }
        switch try value(key) {
        case .array(let items):
            return try items.map(element)
        case .largeArray(let array):
            var reader = GGUFReader(bytes: map.bytes, offset: array.bytes.lowerBound)
            var result: [T] = []
            result.reserveCapacity(array.count)
            for _ in 0..<array.count {
                result.append(try element(reader.readValue(type: array.elementType, key: key)))
            }
            return result
        case let other:
            throw GGUFError.wrongType(key: key, expected: expected, found: other.typeName)
        }
    }

    public func tensor(_ name: String) throws -> GGUFTensor {
        guard let tensor = tensors[name] else { throw GGUFError.missingTensor(name) }
        return tensor
    }
}

/// One tensor of a GGUF file, in place in the memory map. `dimensions[0]` is the row length (the innermost).
public struct GGUFTensor: @unchecked Sendable {
    public let name: String
    public let type: TensorType
    public let dimensions: [Int]
    public let byteCount: Int
    public let rowBytes: Int
    public let data: UnsafeRawPointer

    public var rows: Int { dimensions.dropFirst().reduce(1, *) }
    public var elementCount: Int { dimensions.reduce(1, *) }
}

/// Where a long array value lies in the file: `count` values of the GGUF value type `elementType` in `bytes`.
public struct GGUFLargeArray: Equatable, Sendable {
    public let elementType: UInt32
    public let count: Int
    public let bytes: Range<Int>
}

/// A metadata value. Arrays hold values of one type.
public enum GGUFValue: Equatable, CustomStringConvertible, Sendable {
    case uint(UInt64)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])
    /// A long array, left in the file until asked for (`GGUFFile.strings`, `GGUFFile.numbers`).
    case largeArray(GGUFLargeArray)

    public var integer: Int? {
        switch self {
        case .uint(let v): v <= UInt64(Int.max) ? Int(v) : nil
        case .int(let v): Int(v)
        default: nil
        }
    }

    public var double: Double? {
        switch self {
        case .uint(let v): Double(v)
        case .int(let v): Double(v)
        case .float(let v): v
        default: nil
        }
    }

    public var float: Float? { double.map(Float.init) }

    var typeName: String {
        switch self {
        case .uint, .int: "integer"
        case .float: "float"
        case .bool: "bool"
        case .string: "string"
        case .array, .largeArray: "array"
        }
    }

    public var description: String {
        switch self {
        case .uint(let v): "\(v)"
        case .int(let v): "\(v)"
        case .float(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .array(let items): "[\(items.count) items]"
        case .largeArray(let array): "[\(array.count) items]"
        }
    }
}

public enum GGUFError: Error, CustomStringConvertible, Equatable {
    case notGGUF(path: String)
    case unsupportedVersion(UInt32)
    case truncated(reading: String, offset: Int, fileSize: Int)
    case unknownValueType(key: String, type: UInt32)
    case invalidString(reading: String)
    case duplicateKey(String)
    case duplicateTensor(String)
    case missingKey(String)
    case wrongType(key: String, expected: String, found: String)
    case invalidValue(key: String, value: String, reason: String)
    case unknownTensorType(tensor: String, type: UInt32)
    case unsupportedTensorType(tensor: String, type: String)
    case badTensorShape(tensor: String, reason: String)
    case tensorOutOfBounds(tensor: String, end: Int, fileSize: Int)
    case missingTensor(String)
    case unsupportedArchitecture(String)

    public var description: String {
        switch self {
        case .notGGUF(let path): "'\(path)' is not a GGUF file (wrong magic)"
        case .unsupportedVersion(let v): "GGUF version \(v) is not supported (2 and 3 are)"
        case .truncated(let what, let offset, let size):
            "file is truncated or corrupt: reading \(what) at byte \(offset) runs past the end (\(size) bytes)"
        case .unknownValueType(let key, let type): "metadata '\(key)' has unknown value type \(type)"
        case .invalidString(let what): "\(what) is not valid UTF-8"
        case .duplicateKey(let key): "metadata key '\(key)' appears twice"
        case .duplicateTensor(let name): "tensor '\(name)' appears twice"
        case .missingKey(let key): "metadata key '\(key)' is missing"
        case .wrongType(let key, let expected, let found): "metadata '\(key)' should be \(expected) but is \(found)"
        case .invalidValue(let key, let value, let reason): "metadata '\(key)' = \(value) is invalid: \(reason)"
        case .unknownTensorType(let name, let type): "tensor '\(name)' has unknown type id \(type)"
        case .unsupportedTensorType(let name, let type): "tensor '\(name)' has type \(type), which the engine cannot compute with yet"
        case .badTensorShape(let name, let reason): "tensor '\(name)' has a bad shape: \(reason)"
        case .tensorOutOfBounds(let name, let end, let size):
            "tensor '\(name)' data is not within the file bounds (ends at \(end), file has \(size) bytes): the model is corrupt or incomplete"
        case .missingTensor(let name): "tensor '\(name)' is missing"
        case .unsupportedArchitecture(let arch): "architecture '\(arch)' is not supported (llama is)"
        }
    }
}

/// A bounds-checked little-endian cursor over the file's bytes.
struct GGUFReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    private mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - offset else {
            throw GGUFError.truncated(reading: what(), offset: offset, fileSize: bytes.count)
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        let raw = try take(MemoryLayout<T>.size, what())
        return T(littleEndian: raw.loadUnaligned(as: T.self))
    }

    /// A u64 count, capped so that a corrupt count cannot ask for more items than the file could hold.
    mutating func readCount(_ what: String) throws -> Int {
        let count = try read(UInt64.self, what)
        guard count <= UInt64(bytes.count - offset) else {
            throw GGUFError.truncated(reading: "\(what) (\(count))", offset: offset, fileSize: bytes.count)
        }
        return Int(count)
    }

    mutating func readString(_ what: @autoclosure () -> String) throws -> String {
        let length = try read(UInt64.self, what())
        guard length <= UInt64(bytes.count - offset) else {
            throw GGUFError.truncated(reading: what(), offset: offset, fileSize: bytes.count)
        }
        let raw = try take(Int(length), what())
        guard let string = String(validating: raw, as: UTF8.self) else { throw GGUFError.invalidString(reading: what()) }
        return string
    }

    mutating func readValue(key: String) throws -> GGUFValue {
        let type = try read(UInt32.self, "type of '\(key)'")
        return try readValue(type: type, key: key)
    }

    /// Arrays longer than this are read lazily (`GGUFValue.largeArray`).
    static let eagerArrayLimit = 1024

    /// Moves past `count` values of `type`, checking that they lie within the file.
    mutating func skipValues(type: UInt32, count: Int, key: String) throws {
        let fixedSizes: [UInt32: Int] = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8]
        if let size = fixedSizes[type] {
            guard count <= (bytes.count - offset) / size else {
                throw GGUFError.truncated(reading: "values of '\(key)'", offset: offset, fileSize: bytes.count)
            }
            offset += count * size
        } else if type == 8 {
            for _ in 0..<count {
                let length = try read(UInt64.self, "value of '\(key)'")
                guard length <= UInt64(bytes.count - offset) else {
                    throw GGUFError.truncated(reading: "value of '\(key)'", offset: offset, fileSize: bytes.count)
                }
                offset += Int(length)
            }
        } else {
            throw GGUFError.unknownValueType(key: key, type: type)
        }
    }

    mutating func readValue(type: UInt32, key: String) throws -> GGUFValue {
        switch type {
        case 0: return .uint(UInt64(try read(UInt8.self, key)))
        case 1: return .int(Int64(try read(Int8.self, key)))
        case 2: return .uint(UInt64(try read(UInt16.self, key)))
        case 3: return .int(Int64(try read(Int16.self, key)))
        case 4: return .uint(UInt64(try read(UInt32.self, key)))
        case 5: return .int(Int64(try read(Int32.self, key)))
        case 6: return .float(Double(Float(bitPattern: try read(UInt32.self, key))))
        case 7:
            let b = try read(UInt8.self, key)
            guard b <= 1 else { throw GGUFError.invalidValue(key: key, value: "\(b)", reason: "a bool must be 0 or 1") }
            return .bool(b == 1)
        case 8: return .string(try readString("value of '\(key)'"))
        case 9:
            let elementType = try read(UInt32.self, "element type of '\(key)'")
            guard elementType != 9 else { throw GGUFError.unknownValueType(key: key, type: elementType) }
            let count = try readCount("length of '\(key)'")
            if count > Self.eagerArrayLimit {
                // Vocabularies and merge lists: checked for bounds now, decoded when asked for, so the file's
                // metadata does not hold a second copy of them for the life of the model.
                let start = offset
                try skipValues(type: elementType, count: count, key: key)
                return .largeArray(GGUFLargeArray(elementType: elementType, count: count, bytes: start..<offset))
            }
            var items: [GGUFValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try readValue(type: elementType, key: key)) }
            return .array(items)
        case 10: return .uint(try read(UInt64.self, key))
        case 11: return .int(Int64(bitPattern: try read(UInt64.self, key)))
        case 12: return .float(Double(bitPattern: try read(UInt64.self, key)))
        default: throw GGUFError.unknownValueType(key: key, type: type)
        }
    }
}
