/// The KV cache of a session's first positions as plain bytes, so an evaluated prompt prefix can be stored and
/// restored (for a restart that is ready at once) without evaluating it again.
///
/// Layout: for each layer, for each KV head, keys then values of the positions in order, `headDim` half floats
/// each — (layer, kvHead, {key, value}, position, headDim). It depends on the model's shape only; the caller keys
/// a stored snapshot by the model file, the tokens and the engine version.
public enum SessionSnapshotError: Error, CustomStringConvertible, Equatable {
    case sizeMismatch(expected: Int, actual: Int)
    case tooLong(positions: Int, contextLength: Int)

    public var description: String {
        switch self {
        case .sizeMismatch(let expected, let actual):
            "a KV snapshot of \(actual) bytes does not fit this session (expected \(expected))"
        case .tooLong(let positions, let contextLength):
            "a KV snapshot of \(positions) positions does not fit a context of \(contextLength)"
        }
    }
}

extension Session {
    /// Bytes of a snapshot of `positions` positions.
    public func snapshotByteCount(positions: Int) -> Int {
        let c = model.config
        return 2 * c.layerCount * c.kvHeadCount * positions * c.headDimension * MemoryLayout<UInt16>.size
    }

    /// The keys and values of the first `positions` positions (at most `position`).
    public func snapshot(positions: Int) -> [UInt8] {
        precondition(positions >= 0 && positions <= position, "snapshot of \(positions) positions; \(position) held")
        var bytes = [UInt8](repeating: 0, count: snapshotByteCount(positions: positions))
        bytes.withUnsafeMutableBytes { out in
            var offset = 0
            forEachRun(positions: positions) { cache, count in
                let run = count * MemoryLayout<UInt16>.size
                out.baseAddress!.advanced(by: offset).copyMemory(from: cache, byteCount: run)
                offset += run
            }
        }
        return bytes
    }

    /// Replaces the session's contents with a snapshot of `positions` positions; the next evaluation continues
    /// after them. The logits are not restored: evaluate at least one token before reading them.
    public func restore(_ bytes: UnsafeRawBufferPointer, positions: Int) throws {
        guard positions <= contextLength else {
            throw SessionSnapshotError.tooLong(positions: positions, contextLength: contextLength)
        }
        let expected = snapshotByteCount(positions: positions)
        guard bytes.count == expected else { throw SessionSnapshotError.sizeMismatch(expected: expected, actual: bytes.count) }
        var offset = 0
        forEachRun(positions: positions) { cache, count in
            let run = count * MemoryLayout<UInt16>.size
            UnsafeMutableRawPointer(cache).copyMemory(from: bytes.baseAddress!.advanced(by: offset), byteCount: run)
            offset += run
        }
        position = positions
    }

    /// Visits the cache's contiguous runs of the first `positions` positions in snapshot order.
    private func forEachRun(positions: Int, _ body: (UnsafeMutablePointer<UInt16>, Int) -> Void) {
        let c = model.config
        let run = positions * c.headDimension
        for layer in 0..<c.layerCount {
            for head in 0..<c.kvHeadCount {
                // (layer, kvHead, contextLength, headDim), as Forward.swift writes it.
                let base = (layer * c.kvHeadCount + head) * contextLength * c.headDimension
                body(keyCache + base, run)
                body(valueCache + base, run)
            }
        }
    }
}
