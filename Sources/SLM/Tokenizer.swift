/// Turns text into token ids and ids back into bytes, as the model's GGUF file describes: its vocabulary, its merges,
/// which tokens are markup, and the pre-tokenizer it was trained with. Ported from the behaviour of llama.cpp's
/// `llama-vocab.cpp` (its ids are the reference the tests pin). Immutable after `init`, so one instance serves every
/// thread.
public final class Tokenizer: Sendable {
    public let vocabularySize: Int
    public let bosID: Int32?
    public let eosID: Int32?
    /// Whether `encode` starts with the BOS token unless told otherwise.
    public let addsBOS: Bool
    /// `tokenizer.ggml.model` and `tokenizer.ggml.pre`.
    public let modelName: String
    public let preTokenizerName: String

    let vocabulary: TokenTable
    let tokenTypes: [TokenType]
    private let specials: SpecialTokens
    private let model: any TokenizerModel
    /// The bytes each token decodes to, packed; token `i`'s are `pieceBytes[pieceStarts[i]..<pieceStarts[i + 1]]`.
    private let pieceBytes: [UInt8]
    private let pieceStarts: [Int32]
    private let endOfGeneration: [Int32]

    /// Byte-level BPE ("gpt2") and SentencePiece-style BPE ("llama").
    static let supportedModels = ["gpt2", "llama"]
    static var supportedPreTokenizers: [String] { PreTokenizer.byName.keys.sorted() }

    /// Texts of tokens that end a turn, which llama.cpp also treats as end of generation whatever the metadata says.
    static let endOfTurnTexts = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>",
        "<|end_of_text|>",
    ]

    /// Reads the tokenizer from the model's metadata. Throws `GGUFError` for a missing or mistyped key and
    /// `TokenizerError` for an unsupported model or pre-tokenizer or inconsistent contents, each naming the key.
    public convenience init(gguf: GGUFFile) throws {
        let model = try gguf.string(GGUFKey.tokenizerModel)
        // llama.cpp falls back to its default splitter when a BPE vocabulary names none.
        let pre = try gguf.optionalString(GGUFKey.tokenizerPre) ?? "default"
        try Self.check(model: model, preTokenizer: pre)
        let tokens = try gguf.strings(GGUFKey.tokens)
        var types: [TokenType]?
        if gguf.metadata[GGUFKey.tokenTypes] != nil {
            types = try gguf.numbers(GGUFKey.tokenTypes).enumerated().map { id, number in
                guard let raw = Int(exactly: number), let type = TokenType(rawValue: raw) else {
                    throw TokenizerError.invalidMetadata(
                        key: GGUFKey.tokenTypes, reason: "token \(id) has type \(number)")
                }
                return type
            }
        }
        func tokenID(_ key: String) throws -> Int32? {
            guard let id = try gguf.optionalInt(key) else { return nil }
            guard let id32 = Int32(exactly: id) else {
                throw TokenizerError.invalidMetadata(key: key, reason: "token id \(id) is out of range")
            }
            return id32
        }
        let sentencePiece = model == "llama"
        try self.init(
            tokens: tokens, tokenTypes: types,
            merges: sentencePiece ? [] : gguf.strings(GGUFKey.merges),
            scores: sentencePiece ? gguf.numbers(GGUFKey.tokenScores).map { Float($0) } : nil,
            model: model, preTokenizer: pre,
            bosID: tokenID(GGUFKey.bosTokenID), eosID: tokenID(GGUFKey.eosTokenID),
            unknownID: tokenID(GGUFKey.unknownTokenID),
            endOfTurnIDs: [tokenID(GGUFKey.eotTokenID), tokenID(GGUFKey.eomTokenID)].compactMap { $0 },
            // llama.cpp adds BOS by default for SentencePiece vocabularies and, of the byte-level ones, Llama 3's.
            addsBOS: gguf.bool(GGUFKey.addBOS) ?? (sentencePiece || PreTokenizer.byName[pre] == .llama3),
            // and a space in front of SentencePiece text unless told otherwise.
            addsSpacePrefix: gguf.bool(GGUFKey.addSpacePrefix) ?? sentencePiece)
    }

    /// A tokenizer from plain arrays, as the GGUF keys hold them. `tokenTypes` defaults to all normal. Byte-level BPE
    /// ("gpt2") takes `merges`; SentencePiece ("llama") takes `scores` and ignores the pre-tokenizer.
    public init(
        tokens: [String], tokenTypes: [TokenType]? = nil, merges: [String], scores: [Float]? = nil,
        model: String = "gpt2", preTokenizer: String = "gpt2", bosID: Int32? = nil, eosID: Int32? = nil,
        unknownID: Int32? = nil, endOfTurnIDs: [Int32] = [], addsBOS: Bool = false, addsSpacePrefix: Bool = false
    ) throws {
        try Self.check(model: model, preTokenizer: preTokenizer)
        let pre = PreTokenizer.byName[preTokenizer] ?? .fallback
        guard !tokens.isEmpty else { throw TokenizerError.invalidMetadata(key: GGUFKey.tokens, reason: "no tokens") }
        var types = tokenTypes ?? [TokenType](repeating: .normal, count: tokens.count)
        guard types.count == tokens.count else {
            throw TokenizerError.invalidMetadata(
                key: GGUFKey.tokenTypes, reason: "\(types.count) types for \(tokens.count) tokens")
        }
        func check(_ id: Int32?, _ key: String) throws {
            if let id, id < 0 || Int(id) >= tokens.count {
                throw TokenizerError.invalidMetadata(
                    key: key, reason: "token id \(id) is outside the \(tokens.count) tokens")
            }
        }
        try check(bosID, GGUFKey.bosTokenID)
        try check(eosID, GGUFKey.eosTokenID)
        for id in endOfTurnIDs { try check(id, GGUFKey.eotTokenID) }

        let vocabulary = TokenTable(tokens)
        var endOfGeneration = [eosID].compactMap { $0 } + endOfTurnIDs
        for text in Self.endOfTurnTexts {
            guard let id = vocabulary.id(text) else { continue }
            endOfGeneration.append(id)
            // Such tokens are markup even in files that mistype them, as llama.cpp decides.
            if types[Int(id)] == .normal || types[Int(id)] == .undefined { types[Int(id)] = .control }
        }
        try check(unknownID, GGUFKey.unknownTokenID)
        let encoder: any TokenizerModel
        if model == "llama" {
            encoder = try SentencePieceEncoding(
                vocabulary: vocabulary, scores: scores ?? [Float](repeating: 0, count: tokens.count),
                unknownID: unknownID, addsSpacePrefix: addsSpacePrefix)
        } else {
            encoder = try BytePairEncoding(
                vocabulary: vocabulary, merges: merges, preTokenizer: pre, ignoreMerges: pre == .llama3)
        }

        var pieceBytes: [UInt8] = []
        pieceBytes.reserveCapacity(tokens.count * 6)
        var pieceStarts: [Int32] = [0]
        pieceStarts.reserveCapacity(tokens.count + 1)
        for (id, type) in types.enumerated() {
            switch type {
            case .normal, .byte, .undefined: encoder.appendBytes(ofTokenText: vocabulary.bytes(id), to: &pieceBytes)
            case .control, .userDefined, .unknown, .unused: pieceBytes.append(contentsOf: vocabulary.bytes(id))
            }
            pieceStarts.append(Int32(pieceBytes.count))
        }

        vocabularySize = tokens.count
        self.bosID = bosID
        self.eosID = eosID
        self.addsBOS = addsBOS
        modelName = model
        preTokenizerName = preTokenizer
        self.vocabulary = vocabulary
        self.tokenTypes = types
        specials = SpecialTokens(vocabulary: vocabulary, types: types)
        self.model = encoder
        self.pieceBytes = pieceBytes
        self.pieceStarts = pieceStarts
        self.endOfGeneration = Array(Set(endOfGeneration)).sorted()
    }

    private static func check(model: String, preTokenizer: String) throws {
        guard supportedModels.contains(model) else {
            throw TokenizerError.unsupportedModel(model, supported: supportedModels)
        }
        guard model == "llama" || PreTokenizer.byName[preTokenizer] != nil else {
            throw TokenizerError.unsupportedPreTokenizer(preTokenizer, supported: supportedPreTokenizers)
        }
    }

    // MARK: encoding

    /// The token ids of `text`. With `parseSpecial`, control tokens written in the text (`<|im_start|>`) become their
    /// ids; without it they are spelled out like any text. User-defined tokens are always recognised. `addBOS`
    /// defaults to the model's `addsBOS`.
    public func encode(_ text: String, parseSpecial: Bool = true, addBOS: Bool? = nil) -> [Int32] {
        encode([TextSegment(text, parseSpecial: parseSpecial)], addBOS: addBOS)
    }

    /// The token ids of the segments' text joined, with special tokens recognised only inside the segments that
    /// allow it. Text runs across segment boundaries as if it were one string, so the ids equal those of the joined
    /// string whenever the other segments contain no special tokens.
    public func encode(_ segments: [TextSegment], addBOS: Bool? = nil) -> [Int32] {
        var output: [Int32] = []
        if addBOS ?? addsBOS, let bosID { output.append(bosID) }
        if segments.count == 1 {
            var text = segments[0].text
            let parseSpecial = segments[0].parseSpecial
            text.withUTF8 { encode($0, regions: [(end: $0.count, parseSpecial)], into: &output) }
        } else {
            var bytes: [UInt8] = []
            var regions: [(end: Int, parseSpecial: Bool)] = []
            for segment in segments {
                bytes.append(contentsOf: segment.text.utf8)
                regions.append((bytes.count, segment.parseSpecial))
            }
            bytes.withUnsafeBufferPointer { encode($0, regions: regions, into: &output) }
        }
        return output
    }

    /// Cuts the text at each special token; the model encodes the text between.
    private func encode(
        _ text: UnsafeBufferPointer<UInt8>, regions: [(end: Int, parseSpecial: Bool)], into output: inout [Int32]
    ) {
        var textStart = 0
        var position = 0
        for region in regions {
            while position < region.end {
                guard let (id, length) = specials.match(text, at: position, end: region.end, all: region.parseSpecial)
                else {
                    position += 1
                    continue
                }
                if textStart < position {
                    model.encode(UnsafeBufferPointer(rebasing: text[textStart..<position]), into: &output)
                }
                output.append(id)
                position += length
                textStart = position
            }
        }
        if textStart < text.count {
            model.encode(UnsafeBufferPointer(rebasing: text[textStart...]), into: &output)
        }
    }

    // MARK: decoding

    /// The bytes token `id` stands for. Control, unknown and unused tokens give their text only if `renderSpecial`,
    /// else nothing. A piece may end inside a UTF-8 sequence: `TextDecoder` joins pieces into text.
    public func piece(_ id: Int32, renderSpecial: Bool = false) -> [UInt8] {
        Array(pieceSlice(id, renderSpecial: renderSpecial))
    }

    func pieceSlice(_ id: Int32, renderSpecial: Bool) -> ArraySlice<UInt8> {
        precondition(
            id >= 0 && Int(id) < vocabularySize, "token id \(id) is outside the vocabulary of \(vocabularySize)")
        switch tokenTypes[Int(id)] {
        case .control, .unknown, .unused: if !renderSpecial { return [] }
        case .normal, .userDefined, .byte, .undefined: break
        }
        return pieceBytes[Int(pieceStarts[Int(id)])..<Int(pieceStarts[Int(id) + 1])]
    }

    /// The text of `ids`; bytes that do not form UTF-8 become U+FFFD.
    public func decode(_ ids: [Int32], renderSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes.append(contentsOf: pieceSlice(id, renderSpecial: renderSpecial)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: vocabulary

    /// Whether generation stops at `id`: the EOS token or an end-of-turn token such as `<|im_end|>`.
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGeneration.contains(id)
    }

    /// The token whose stored text is exactly `text`: markup as written (`<|im_end|>`), normal tokens in their
    /// vocabulary spelling (byte-level BPE writes a space as `Ġ`: `Ġthe`).
    public func token(for text: String) -> Int32? {
        vocabulary.id(text)
    }

    public func tokenType(_ id: Int32) -> TokenType {
        tokenTypes[Int(id)]
    }
}

/// How text with no special tokens in it becomes token ids, and a normal token's stored text becomes bytes: one
/// conformance per `tokenizer.ggml.model` value (byte-level BPE, SentencePiece).
protocol TokenizerModel: Sendable {
    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32])
    func appendBytes(ofTokenText text: ArraySlice<UInt8>, to bytes: inout [UInt8])
}

/// A piece of a prompt and whether special tokens written in it are parsed: a chat template's markup is, a user's
/// text is not, so a command cannot forge `<|im_end|>`.
public struct TextSegment: Equatable, Sendable {
    public var text: String
    public var parseSpecial: Bool

    public init(_ text: String, parseSpecial: Bool) {
        self.text = text
        self.parseSpecial = parseSpecial
    }
}

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case unsupportedModel(String, supported: [String])
    case unsupportedPreTokenizer(String, supported: [String])
    case invalidMetadata(key: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedModel(let name, let supported):
            "tokenizer model '\(name)' (\(GGUFKey.tokenizerModel)) is not supported; supported: "
                + supported.joined(separator: ", ")
        case .unsupportedPreTokenizer(let name, let supported):
            "pre-tokenizer '\(name)' (\(GGUFKey.tokenizerPre)) is not supported; supported: "
                + supported.joined(separator: ", ")
        case .invalidMetadata(let key, let reason): "tokenizer metadata '\(key)' is invalid: \(reason)"
        }
    }
}
