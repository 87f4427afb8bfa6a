import Foundation
import XCTest

@testable import SLM

/// The GGUF reader, the model blueprint and the weight loader on tiny files the tests write: every value type and the
/// tensor table read back, and every kind of corruption rejected with an error that names what is wrong.
final class GGUFTests: XCTestCase {
    func ggufError(_ file: TinyGGUF) -> GGUFError? {
        let error = thrown { try file.open() }
        XCTAssertNotNil(error as? GGUFError, "expected a GGUFError, got \(String(describing: error))")
        return error as? GGUFError
    }

    func ggufError(_ bytes: [UInt8]) -> GGUFError? {
        let error = thrown { try TinyGGUF.open(bytes) }
        XCTAssertNotNil(error as? GGUFError, "expected a GGUFError, got \(String(describing: error))")
        return error as? GGUFError
    }

    func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// One value of each type, in type-id order.
    static let everyType: [(String, TinyGGUF.Value)] = [
        ("t.u8", .uint8(250)),
        ("t.i8", .int8(-7)),
        ("t.u16", .uint16(65_000)),
        ("t.i16", .int16(-30_000)),
        ("t.u32", .uint32(4_000_000_000)),
        ("t.i32", .int32(-2_000_000_000)),
        ("t.f32", .float32(0.15625)),
        ("t.bool", .bool(true)),
        ("t.false", .bool(false)),
        ("t.string", .string("héllo ✓")),
        ("t.empty", .string("")),
        ("t.strings", .strings(["a", "", "ĠB"])),
        ("t.i32s", .int32s([1, -2, 3])),
        ("t.f32s", .float32s([0.5, -1.25])),
        ("t.noitems", .array(elementType: 4, [])),
        ("t.bools", .array(elementType: 7, [.bool(false), .bool(true)])),
        ("t.u64", .uint64(UInt64.max)),
        ("t.i64", .int64(Int64.min)),
        ("t.f64", .float64(-1e300)),
    ]

    /// Two small tensors after the metadata.
    static let twoTensors = [
        TinyGGUF.Tensor("a", [4, 2], .f32, values: [1, 2, 3, 4, 5, 6, 7, 8]),
        TinyGGUF.Tensor("b", [32], .q8_0, values: (0..<32).map { Float($0) - 16 }),
    ]

    // MARK: valid files

    /// Long arrays (vocabularies, merges) stay in the file until asked for, and read back exactly.
    func testLongArraysAreReadWhenAskedFor() throws {
        let words = (0..<3000).map { "w\($0)" + String(repeating: "é", count: $0 % 7) }
        let numbers = (0..<2000).map { Int32($0) - 1000 }
        let file = try TinyGGUF([("t.words", .strings(words)), ("t.numbers", .int32s(numbers))]).open()
        guard case .largeArray(let array)? = file.metadata["t.words"] else {
            return XCTFail("\(String(describing: file.metadata["t.words"]))")
        }
        XCTAssertEqual(array.count, 3000)
        XCTAssertEqual(try file.arrayCount("t.words"), 3000)
        XCTAssertEqual(try file.strings("t.words"), words)
        XCTAssertEqual(try file.numbers("t.numbers"), numbers.map(Double.init))
        XCTAssertThrowsError(try file.strings("t.numbers")) {
            XCTAssertEqual(
                $0 as? GGUFError, .wrongType(key: "t.numbers", expected: "array of strings", found: "array of integer"))
        }
        // a long array cut short is refused when the file is opened, not when it is read
        let bytes = try TinyGGUF([("t.words", .strings(words))]).bytes
        XCTAssertThrowsError(try TinyGGUF.open(Array(bytes.prefix(bytes.count - 40)))) {
            guard case .truncated? = $0 as? GGUFError else { return XCTFail("\($0)") }
        }
    }

    func testEveryMetadataTypeRoundTrips() throws {
        let file = try TinyGGUF(Self.everyType).open()
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.metadataKeys, Self.everyType.map(\.0))
        let expected: [String: GGUFValue] = [
            "t.u8": .uint(250), "t.i8": .int(-7), "t.u16": .uint(65_000), "t.i16": .int(-30_000),
            "t.u32": .uint(4_000_000_000), "t.i32": .int(-2_000_000_000), "t.f32": .float(0.15625),
            "t.bool": .bool(true), "t.false": .bool(false), "t.string": .string("héllo ✓"), "t.empty": .string(""),
            "t.strings": .array([.string("a"), .string(""), .string("ĠB")]),
            "t.i32s": .array([.int(1), .int(-2), .int(3)]), "t.f32s": .array([.float(0.5), .float(-1.25)]),
            "t.noitems": .array([]), "t.bools": .array([.bool(false), .bool(true)]),
            "t.u64": .uint(UInt64.max), "t.i64": .int(Int64.min), "t.f64": .float(-1e300),
        ]
        XCTAssertEqual(file.metadata, expected)
        XCTAssertTrue(file.tensors.isEmpty)

        // typed access
        XCTAssertEqual(try file.int("t.i16"), -30_000)
        XCTAssertEqual(try file.int("t.u32"), 4_000_000_000)
        XCTAssertEqual(try file.float("t.f32"), 0.15625)
        XCTAssertEqual(try file.float("t.u8"), 250)
        XCTAssertEqual(try file.string("t.string"), "héllo ✓")
        XCTAssertEqual(try file.bool("t.bool"), true)
        XCTAssertNil(try file.bool("t.absent"))
        XCTAssertEqual(try file.strings("t.strings"), ["a", "", "ĠB"])
        XCTAssertEqual(try file.numbers("t.i32s"), [1, -2, 3])
        XCTAssertNil(try file.optionalInt("t.absent"))
        XCTAssertEqual(thrown { try file.int("t.absent") } as? GGUFError, .missingKey("t.absent"))
        guard case .wrongType(key: "t.u64", expected: "integer", _)? = thrown({ try file.int("t.u64") }) as? GGUFError
        else {
            return XCTFail("UInt64.max does not fit an Int")
        }
        XCTAssertEqual(
            thrown { try file.string("t.u8") } as? GGUFError,
            .wrongType(key: "t.u8", expected: "string", found: "integer"))
        XCTAssertEqual(
            thrown { try file.strings("t.i32s") } as? GGUFError,
            .wrongType(key: "t.i32s", expected: "array of strings", found: "array of integer"))
    }

    func testTensorTable() throws {
        let tiny = TinyGGUF([("general.name", .string("two"))], tensors: Self.twoTensors)
        let encoded = tiny.encoded()
        let (bytes, dataOffset, offsets) = (encoded.bytes, encoded.dataOffset, encoded.tensorOffsets)
        let file = try TinyGGUF.open(bytes)
        XCTAssertEqual(file.alignment, 32)
        XCTAssertEqual(file.dataOffset, dataOffset)
        XCTAssertEqual(dataOffset % 32, 0)
        XCTAssertEqual(file.tensorNames, ["a", "b"])

        let a = try file.tensor("a")
        XCTAssertEqual(a.type, .f32)
        XCTAssertEqual(a.dimensions, [4, 2])
        XCTAssertEqual(a.byteCount, 32)
        XCTAssertEqual(a.rowBytes, 16)
        XCTAssertEqual(a.rows, 2)
        XCTAssertEqual(a.elementCount, 8)
        XCTAssertEqual(a.data - file.map.bytes.baseAddress!, dataOffset + offsets[0])
        XCTAssertEqual(
            Array(UnsafeBufferPointer(start: a.data.assumingMemoryBound(to: Float.self), count: 8)),
            [1, 2, 3, 4, 5, 6, 7, 8])

        let b = try file.tensor("b")
        XCTAssertEqual(b.type, .q8_0)
        XCTAssertEqual(b.dimensions, [32])
        XCTAssertEqual(b.byteCount, 34)
        XCTAssertEqual(offsets[1], 32, "b follows a's 32 bytes")
        XCTAssertEqual(b.data - file.map.bytes.baseAddress!, dataOffset + 32)
        XCTAssertEqual(Array(UnsafeRawBufferPointer(start: b.data, count: 34)), Self.twoTensors[1].data)
        XCTAssertEqual(thrown { try file.tensor("c") } as? GGUFError, .missingTensor("c"))
    }

    func testCustomAlignmentIsHonoured() throws {
        let tiny = TinyGGUF([("general.alignment", .uint32(64))], tensors: Self.twoTensors)
        let encoded = tiny.encoded()
        // 32-byte alignment would start the data elsewhere, and put b at 32 rather than 64
        XCTAssertNotEqual(encoded.dataOffset, (encoded.tableEnd + 31) / 32 * 32)
        XCTAssertEqual(encoded.tensorOffsets, [0, 64])
        let file = try TinyGGUF.open(encoded.bytes)
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataOffset, encoded.dataOffset)
        XCTAssertEqual(file.dataOffset % 64, 0)
        let b = try file.tensor("b")
        XCTAssertEqual(b.data - file.map.bytes.baseAddress!, encoded.dataOffset + 64)
        XCTAssertEqual(Array(UnsafeRawBufferPointer(start: b.data, count: 34)), Self.twoTensors[1].data)

        var tensors = Self.twoTensors
        tensors[1].offset = 32
        XCTAssertEqual(
            ggufError(TinyGGUF([("general.alignment", .uint32(64))], tensors: tensors)),
            .badTensorShape(tensor: "b", reason: "offset 32 is not aligned to 64"))
    }

    func testVersionTwoIsAccepted() throws {
        var tiny = TinyGGUF(Self.everyType, tensors: Self.twoTensors)
        tiny.version = 2
        let file = try tiny.open()
        XCTAssertEqual(file.version, 2)
        XCTAssertEqual(try file.string("t.string"), "héllo ✓")
        XCTAssertEqual(file.tensorNames, ["a", "b"])
    }

    // MARK: corrupt headers and metadata

    func testWrongMagicAndVersion() throws {
        var tiny = TinyGGUF(Self.everyType)
        tiny.magic = Array("GGUG".utf8)
        guard case .notGGUF(let path)? = ggufError(tiny) else { return XCTFail() }
        XCTAssertTrue(path.hasSuffix(".gguf"), path)
        for version: UInt32 in [0, 1, 4, 0x0300_0000] {
            tiny = TinyGGUF(Self.everyType)
            tiny.version = version
            XCTAssertEqual(ggufError(tiny), .unsupportedVersion(version))
        }
    }

    /// Every prefix of a valid file is incomplete: it throws, naming what it was reading, and never reads out of
    /// bounds. Before the data section the reader runs out while parsing; after it, a tensor's data runs out.
    func testEveryTruncationThrows() throws {
        let encoded = TinyGGUF(Self.everyType, tensors: Self.twoTensors).encoded()
        let path = TinyGGUF.temporaryPath()
        try Data(encoded.bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertNoThrow(try GGUFFile(path: path))
        // shortest last, cutting the one file down a byte at a time
        for length in (1..<encoded.bytes.count).reversed() {
            XCTAssertEqual(truncate(path, off_t(length)), 0)
            let error = thrown { try GGUFFile(path: path) }
            XCTAssertNotNil(error as? GGUFError, "prefix of \(length): \(String(describing: error))")
            switch error as? GGUFError {
            case .truncated(_, let offset, let fileSize)?:
                XCTAssertLessThan(length, encoded.tableEnd, "prefix of \(length)")
                XCTAssertEqual(fileSize, length)
                XCTAssertLessThanOrEqual(offset, length)
            case .tensorOutOfBounds(let name, let end, let fileSize)?:
                XCTAssertGreaterThanOrEqual(length, encoded.tableEnd, "prefix of \(length)")
                XCTAssertEqual(fileSize, length)
                XCTAssertGreaterThan(end, length)
                XCTAssertEqual(name, length < encoded.dataOffset + 32 ? "a" : "b", "prefix of \(length)")
            case let other:
                XCTFail("prefix of \(length): \(String(describing: other))")
            }
        }
    }

    func testEmptyFile() throws {
        let path = TinyGGUF.temporaryPath()
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(thrown { try GGUFFile(path: path) } as? MemoryMap.Error, .empty(path: path))
    }

    func testMissingFileAndDirectoryCannotBeOpened() throws {
        let missing = TinyGGUF.temporaryPath()
        guard case .cannotOpen(missing, let reason)? = thrown({ try GGUFFile(path: missing) }) as? MemoryMap.Error
        else {
            return XCTFail()
        }
        XCTAssertTrue(reason.contains("No such file"), reason)
        let directory = FileManager.default.temporaryDirectory.path
        guard case .cannotOpen(directory, _)? = thrown({ try GGUFFile(path: directory) }) as? MemoryMap.Error else {
            return XCTFail()
        }
        guard case .cannotOpen? = thrown({ try Model(path: missing) }) as? MemoryMap.Error else { return XCTFail() }
    }

    /// Lengths and counts that promise more than the file holds are refused before anything is allocated for them.
    func testHugeLengthsAndCountsAreTruncationNotAllocation() throws {
        var tiny = TinyGGUF([("k", .raw(type: 8, bytes: le(UInt64.max) + Array("abc".utf8)))])
        var size = tiny.bytes.count
        XCTAssertEqual(ggufError(tiny), .truncated(reading: "value of 'k'", offset: size - 3, fileSize: size))

        tiny = TinyGGUF([("k", .raw(type: 9, bytes: le(UInt32(4)) + le(UInt64(1) << 62) + le(UInt32(7))))])
        size = tiny.bytes.count
        XCTAssertEqual(
            ggufError(tiny),
            .truncated(reading: "length of 'k' (\(UInt64(1) << 62))", offset: size - 4, fileSize: size))

        // a count the remaining bytes could hold as bytes, but not as 4-byte items
        tiny = TinyGGUF([("k", .raw(type: 9, bytes: le(UInt32(4)) + le(UInt64(12)) + le(UInt32(7)) + le(UInt64(0))))])
        size = tiny.bytes.count
        XCTAssertEqual(ggufError(tiny), .truncated(reading: "k", offset: size, fileSize: size))

        // a key of 2^64 - 1 bytes
        var bytes = TinyGGUF([("a", .bool(true))]).bytes
        bytes.replaceSubrange(24..<32, with: le(UInt64.max))
        XCTAssertEqual(
            ggufError(bytes), .truncated(reading: "key of metadata entry 0", offset: 32, fileSize: bytes.count))

        // counts of tensors and of metadata entries
        bytes = TinyGGUF([("a", .bool(true))]).bytes
        bytes.replaceSubrange(8..<16, with: le(UInt64.max))
        XCTAssertEqual(
            ggufError(bytes), .truncated(reading: "tensor count (\(UInt64.max))", offset: 16, fileSize: bytes.count))
        bytes = TinyGGUF([("a", .bool(true))]).bytes
        bytes.replaceSubrange(16..<24, with: le(UInt64(1) << 40))
        XCTAssertEqual(
            ggufError(bytes),
            .truncated(reading: "metadata count (\(UInt64(1) << 40))", offset: 24, fileSize: bytes.count))

        // a tensor name of 2^63 bytes
        tiny = TinyGGUF(tensors: [Self.twoTensors[0]])
        bytes = tiny.bytes
        bytes.replaceSubrange(24..<32, with: le(UInt64(1) << 63))
        XCTAssertEqual(
            ggufError(bytes), .truncated(reading: "name of tensor 0", offset: 32, fileSize: bytes.count))
    }

    func testBadValuesAreNamed() throws {
        XCTAssertEqual(ggufError(TinyGGUF([("k", .raw(type: 13, bytes: [0]))])), .unknownValueType(key: "k", type: 13))
        XCTAssertEqual(
            ggufError(TinyGGUF([("ok", .uint8(1)), ("k", .raw(type: 0xFFFF_FFFF, bytes: []))])),
            .unknownValueType(key: "k", type: 0xFFFF_FFFF))
        // arrays of arrays, and of an unknown type
        XCTAssertEqual(
            ggufError(TinyGGUF([("k", .raw(type: 9, bytes: le(UInt32(9)) + le(UInt64(0))))])),
            .unknownValueType(key: "k", type: 9))
        XCTAssertEqual(
            ggufError(TinyGGUF([("k", .raw(type: 9, bytes: le(UInt32(13)) + le(UInt64(1)) + [0]))])),
            .unknownValueType(key: "k", type: 13))
        XCTAssertEqual(
            ggufError(TinyGGUF([("k", .raw(type: 7, bytes: [2]))])),
            .invalidValue(key: "k", value: "2", reason: "a bool must be 0 or 1"))
        XCTAssertEqual(
            ggufError(TinyGGUF([("k", .array(elementType: 7, [.bool(true), .raw(type: 7, bytes: [255])]))])),
            .invalidValue(key: "k", value: "255", reason: "a bool must be 0 or 1"))
        XCTAssertEqual(
            ggufError(TinyGGUF([("k", .uint8(1)), ("j", .string("x")), ("k", .uint8(1))])), .duplicateKey("k"))
    }

    func testInvalidUTF8IsNamed() throws {
        func withInvalidByte(_ tiny: TinyGGUF, in marker: String) -> [UInt8] {
            var bytes = tiny.bytes
            let m = Array(marker.utf8)
            let at = (0...bytes.count - m.count).first { Array(bytes[$0..<$0 + m.count]) == m }!
            bytes[at + 1] = 0xFF
            return bytes
        }
        XCTAssertEqual(
            ggufError(withInvalidByte(TinyGGUF([("a", .uint8(1)), ("k?y", .uint8(1))]), in: "k?y")),
            .invalidString(reading: "key of metadata entry 1"))
        XCTAssertEqual(
            ggufError(withInvalidByte(TinyGGUF([("k", .string("v?l"))]), in: "v?l")),
            .invalidString(reading: "value of 'k'"))
        XCTAssertEqual(
            ggufError(withInvalidByte(TinyGGUF(tensors: [TinyGGUF.Tensor("t?n", [1], values: [0])]), in: "t?n")),
            .invalidString(reading: "name of tensor 0"))
    }

    func testAlignmentMustBeAPowerOfTwo() throws {
        for (value, text) in [
            (TinyGGUF.Value.uint32(48), "48"), (.uint32(0), "0"), (.int32(-32), "-32"),
            (.string("32"), "\"32\""),
        ] {
            XCTAssertEqual(
                ggufError(TinyGGUF([("general.alignment", value)], tensors: Self.twoTensors)),
                .invalidValue(key: "general.alignment", value: text, reason: "not a power of two"))
        }
        XCTAssertEqual(try TinyGGUF([("general.alignment", .uint64(1))], tensors: Self.twoTensors).open().alignment, 1)
    }

    // MARK: corrupt tensor tables

    func testDuplicateAndUnknownTensors() throws {
        XCTAssertEqual(
            ggufError(TinyGGUF(tensors: Self.twoTensors + [Self.twoTensors[0]])), .duplicateTensor("a"))
        var tensors = Self.twoTensors
        tensors[1].type = 99
        XCTAssertEqual(ggufError(TinyGGUF(tensors: tensors)), .unknownTensorType(tensor: "b", type: 99))
    }

    func testTensorDataMustLieInTheFile() throws {
        // b's data cut short by one byte
        var tensors = Self.twoTensors
        tensors[1].data.removeLast()
        let short = TinyGGUF(tensors: tensors).encoded()
        XCTAssertEqual(short.bytes.count, short.dataOffset + 32 + 33)
        XCTAssertEqual(
            ggufError(short.bytes),
            .tensorOutOfBounds(tensor: "b", end: short.dataOffset + 32 + 34, fileSize: short.bytes.count))

        // an offset far past the end, and one past what any file holds
        tensors = Self.twoTensors
        tensors.append(TinyGGUF.Tensor(name: "far", dimensions: [8], type: 0, data: [], offset: 1 << 40))
        var encoded = TinyGGUF(tensors: tensors).encoded()
        XCTAssertEqual(
            ggufError(encoded.bytes),
            .tensorOutOfBounds(tensor: "far", end: encoded.dataOffset + (1 << 40) + 32, fileSize: encoded.bytes.count))
        tensors[2].offset = Int(UInt64.max >> 1) & ~31
        encoded = TinyGGUF(tensors: tensors).encoded()
        XCTAssertEqual(
            ggufError(encoded.bytes), .tensorOutOfBounds(tensor: "far", end: Int.max, fileSize: encoded.bytes.count))
    }

    func testTensorShapesAreChecked() throws {
        var tensors = Self.twoTensors
        tensors[1].offset = 40
        XCTAssertEqual(
            ggufError(TinyGGUF(tensors: tensors)),
            .badTensorShape(tensor: "b", reason: "offset 40 is not aligned to 32"))
        tensors = Self.twoTensors
        tensors[0].dimensions = [4, 0, 2]
        XCTAssertEqual(ggufError(TinyGGUF(tensors: tensors)), .badTensorShape(tensor: "a", reason: "dimension 0"))
        tensors[0].dimensions = []
        XCTAssertEqual(ggufError(TinyGGUF(tensors: tensors)), .badTensorShape(tensor: "a", reason: "rank 0"))
        tensors[0].dimensions = [1, 1, 1, 1, 8]
        XCTAssertEqual(ggufError(TinyGGUF(tensors: tensors)), .badTensorShape(tensor: "a", reason: "rank 5"))
        tensors = Self.twoTensors
        tensors[1] = TinyGGUF.Tensor(name: "b", dimensions: [33, 2], type: 3, data: [UInt8](repeating: 0, count: 80))
        XCTAssertEqual(
            ggufError(TinyGGUF(tensors: tensors)),
            .badTensorShape(tensor: "b", reason: "row of 33 is not whole Q4_1 blocks"))
    }
}

/// The error `body` throws, or nil.
func thrown(_ body: () throws -> Any) -> Error? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Corrupt files whose numbers would overflow the reader's or the loader's arithmetic: refused with an error, as
/// every other corrupt file is, never a trap.
final class OverflowingFileTests: XCTestCase {
    /// Each dimension is below the reader's cap of 2^40; their product, or its size in bytes, is not below 2^63.
    func testTensorSizesThatOverflowAreRefused() {
        let cases: [([Int], TensorType)] = [
            ([1 << 39, 1 << 39], .f32), ([1 << 31, 1 << 31], .f64), ([1 << 30, 1 << 30, 1 << 30, 1 << 30], .i8),
        ]
        for (dimensions, type) in cases {
            var tensors = GGUFTests.twoTensors
            tensors[1] = TinyGGUF.Tensor(name: "huge", dimensions: dimensions, type: type.rawValue, data: [])
            switch thrown({ try TinyGGUF(tensors: tensors).open() }) as? GGUFError {
            case .badTensorShape("huge", _)?, .tensorOutOfBounds("huge", _, _)?: continue
            case let other: XCTFail("\(dimensions) \(type.name): \(String(describing: other))")
            }
        }
    }

    /// A key length of 2^62 passes the simple checks (positive, even), and heads × key length would overflow.
    func testKeyLengthThatOverflowsIsRefused() {
        var tiny = TinyLlama().gguf
        tiny.metadata.append(("llama.attention.key_length", .uint64(1 << 62)))
        switch thrown({ try tiny.model() }) as? GGUFError {
        case .invalidValue("llama.attention.key_length", _, _)?: break
        case let other: XCTFail("\(String(describing: other))")
        }
    }
}
