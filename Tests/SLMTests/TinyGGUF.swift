import Foundation
import SLMKernels

@testable import SLM

/// Writes small GGUF files for tests, byte by byte from the format's definition: metadata of every value type,
/// tensors laid out in an aligned data section, and the corruptions the reader must reject (any magic or version,
/// raw values, tensor offsets chosen by the test).
struct TinyGGUF {
    /// A metadata value, with the GGUF type id it is written with.
    indirect enum Value {
        case uint8(UInt8)
        case int8(Int8)
        case uint16(UInt16)
        case int16(Int16)
        case uint32(UInt32)
        case int32(Int32)
        case float32(Float)
        case bool(Bool)
        case string(String)
        /// Elements are written without their type ids; `elementType` names them once.
        case array(elementType: UInt32, [Value])
        case uint64(UInt64)
        case int64(Int64)
        case float64(Double)
        /// Any type id followed by any bytes, for values the reader must reject.
        case raw(type: UInt32, bytes: [UInt8])

        static func strings(_ items: [String]) -> Value { .array(elementType: 8, items.map(Value.string)) }
        static func int32s(_ items: [Int32]) -> Value { .array(elementType: 5, items.map(Value.int32)) }
        static func float32s(_ items: [Float]) -> Value { .array(elementType: 6, items.map(Value.float32)) }

        var typeID: UInt32 {
            switch self {
            case .uint8: 0
            case .int8: 1
            case .uint16: 2
            case .int16: 3
            case .uint32: 4
            case .int32: 5
            case .float32: 6
            case .bool: 7
            case .string: 8
            case .array: 9
            case .uint64: 10
            case .int64: 11
            case .float64: 12
            case .raw(let type, _): type
            }
        }

        var integer: Int? {
            switch self {
            case .uint8(let v): Int(v)
            case .int8(let v): Int(v)
            case .uint16(let v): Int(v)
            case .int16(let v): Int(v)
            case .uint32(let v): Int(v)
            case .int32(let v): Int(v)
            case .uint64(let v): Int(exactly: v)
            case .int64(let v): Int(v)
            default: nil
            }
        }
    }

    struct Tensor {
        var name: String
        /// Innermost (row length) first, as GGUF stores them.
        var dimensions: [Int]
        var type: UInt32
        var data: [UInt8]
        /// The offset written in the tensor table; nil places the data at the next aligned offset of the data section.
        /// A tensor without data takes no room in the file, so that its offset can point anywhere.
        var offset: Int? = nil

        init(name: String, dimensions: [Int], type: UInt32, data: [UInt8], offset: Int? = nil) {
            self.name = name
            self.dimensions = dimensions
            self.type = type
            self.data = data
            self.offset = offset
        }

        /// A tensor of `type` holding `values` (row after row of `dimensions[0]`), quantized with the kernels'
        /// reference quantizer for the block types.
        init(_ name: String, _ dimensions: [Int], _ type: TensorType = .f32, values: [Float]) {
            precondition(values.count == dimensions.reduce(1, *), "\(name): \(values.count) values for \(dimensions)")
            let columns = dimensions[0]
            let rowBytes = type.rowBytes(columns)!
            let rows = values.count / columns
            var data = [UInt8](repeating: 0, count: rowBytes * rows)
            values.withUnsafeBufferPointer { src in
                data.withUnsafeMutableBytes { dst in
                    for row in 0..<rows {
                        slm_quantize_row(
                            type.kernelType, src.baseAddress! + row * columns, dst.baseAddress! + row * rowBytes,
                            Int64(columns))
                    }
                }
            }
            self.init(name: name, dimensions: dimensions, type: type.rawValue, data: data)
        }

        /// The values of the tensor as the engine reads them: dequantized with the kernels' reference.
        var dequantized: [Float] {
            let type = TensorType(rawValue: self.type)!
            let columns = dimensions[0]
            let rowBytes = type.rowBytes(columns)!
            let rows = dimensions.reduce(1, *) / columns
            var values = [Float](repeating: 0, count: rows * columns)
            data.withUnsafeBytes { src in
                values.withUnsafeMutableBufferPointer { dst in
                    for row in 0..<rows {
                        slm_dequantize_row(
                            type.kernelType, src.baseAddress! + row * rowBytes, dst.baseAddress! + row * columns,
                            Int64(columns))
                    }
                }
            }
            return values
        }
    }

    var magic: [UInt8] = Array("GGUF".utf8)
    var version: UInt32 = 3
    var metadata: [(String, Value)] = []
    var tensors: [Tensor] = []

    init(_ metadata: [(String, Value)] = [], tensors: [Tensor] = []) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The alignment the data section is laid out with: `general.alignment` when it is an integer, else 32.
    var alignment: Int {
        let value = metadata.last { $0.0 == GGUFKey.alignment }?.1.integer ?? 32
        return value > 0 ? value : 32
    }

    /// A file's bytes and where its parts start. The file ends with the last tensor's data, so every shorter prefix
    /// is incomplete.
    struct Encoded {
        var bytes: [UInt8]
        /// The end of the tensor table, where the padding before the data section starts.
        var tableEnd: Int
        var dataOffset: Int
        /// Where each tensor's data starts within the data section.
        var tensorOffsets: [Int]
    }

    func encoded() -> Encoded {
        var bytes = magic
        func integer<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        func string(_ value: String) {
            integer(UInt64(value.utf8.count))
            bytes += value.utf8
        }
        func payload(_ value: Value) {
            switch value {
            case .uint8(let v): integer(v)
            case .int8(let v): integer(v)
            case .uint16(let v): integer(v)
            case .int16(let v): integer(v)
            case .uint32(let v): integer(v)
            case .int32(let v): integer(v)
            case .float32(let v): integer(v.bitPattern)
            case .bool(let v): bytes.append(v ? 1 : 0)
            case .string(let v): string(v)
            case .array(let elementType, let items):
                integer(elementType)
                integer(UInt64(items.count))
                items.forEach(payload)
            case .uint64(let v): integer(v)
            case .int64(let v): integer(v)
            case .float64(let v): integer(v.bitPattern)
            case .raw(_, let raw): bytes += raw
            }
        }

        integer(version)
        integer(UInt64(tensors.count))
        integer(UInt64(metadata.count))
        for (key, value) in metadata {
            string(key)
            integer(value.typeID)
            payload(value)
        }
        let alignment = alignment
        func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
        var offsets: [Int] = []
        var next = 0
        for tensor in tensors {
            let offset = tensor.offset ?? aligned(next)
            offsets.append(offset)
            if !tensor.data.isEmpty { next = max(next, offset + tensor.data.count) }
        }
        for (tensor, offset) in zip(tensors, offsets) {
            string(tensor.name)
            integer(UInt32(tensor.dimensions.count))
            tensor.dimensions.forEach { integer(UInt64($0)) }
            integer(tensor.type)
            integer(UInt64(offset))
        }
        let tableEnd = bytes.count
        let dataOffset = aligned(tableEnd)
        if !tensors.isEmpty {
            bytes += [UInt8](repeating: 0, count: dataOffset - bytes.count + next)
            for (tensor, offset) in zip(tensors, offsets) where !tensor.data.isEmpty {
                bytes.replaceSubrange(dataOffset + offset..<dataOffset + offset + tensor.data.count, with: tensor.data)
            }
        }
        return Encoded(bytes: bytes, tableEnd: tableEnd, dataOffset: dataOffset, tensorOffsets: offsets)
    }

    var bytes: [UInt8] { encoded().bytes }

    /// Writes the file and opens it; the file is deleted at once (the mapping keeps its pages).
    func open() throws -> GGUFFile { try Self.open(bytes) }

    /// Writes the model and opens it as a `Model`.
    func model() throws -> Model { try Model(file: open()) }

    static func open(_ bytes: [UInt8]) throws -> GGUFFile {
        let path = temporaryPath()
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try GGUFFile(path: path)
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString).gguf").path
    }

    /// A file holding only `metadata`.
    static func file(_ metadata: [(String, Value)]) throws -> GGUFFile { try TinyGGUF(metadata).open() }
}
